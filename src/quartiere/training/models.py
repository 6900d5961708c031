"""Models of the training context."""
