"""Demo payment batches (called at the end of training/seeds.py)."""

from __future__ import annotations

import random
from typing import Any


def seed_demo_payments(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Build the demo batches in every state from the seeded attendance (to be written)."""
