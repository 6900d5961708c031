"""Models of the relocation context."""
