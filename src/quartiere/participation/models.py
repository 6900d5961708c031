"""Models of the participation context."""
