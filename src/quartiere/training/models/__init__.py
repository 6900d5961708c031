"""Training context models: measures, rules and paths (paths.py); payment batches (payments.py)."""

from quartiere.training.models.paths import *  # noqa: F403
from quartiere.training.models.payments import *  # noqa: F403
