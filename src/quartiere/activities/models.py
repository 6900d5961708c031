"""Models of the activities context."""
