"""Pure module (no Django imports): to be written with its issue."""
