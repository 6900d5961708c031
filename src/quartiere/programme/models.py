"""Models of the programme context."""
