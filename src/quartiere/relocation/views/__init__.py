"""Back-office views of the relocation context."""
