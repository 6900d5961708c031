"""Back-office pages of the activities context."""
