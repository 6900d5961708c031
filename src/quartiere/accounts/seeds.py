"""Demo organisations (real public bodies' names, synthetic details)."""

from __future__ import annotations

import random
from typing import Any

from quartiere.accounts import services
from quartiere.accounts.enums import OrganisationKind
from quartiere.accounts.models import Organisation

ORGANISATIONS = [
    ("Regione Lombardia", OrganisationKind.REGION, False),
    ("Comune di Milano", OrganisationKind.MUNICIPALITY, False),
    ("ALER Milano", OrganisationKind.ALER, False),
    ("Comune di Bollate", OrganisationKind.MUNICIPALITY, False),
    ("Cooperativa Sociale Quartieri Solidali (demo)", OrganisationKind.THIRD_SECTOR, False),
    ("Associazione Abitanti Giambellino (demo)", OrganisationKind.THIRD_SECTOR, False),
    ("Agenzia Formazione Lavoro Metropolitana (demo)", OrganisationKind.ACCREDITED_OPERATOR, True),
    ("Istituto Comprensivo Narcisi (demo)", OrganisationKind.SCHOOL, False),
]


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Create the organisations the demo labs are built from."""
    orgs: dict[str, Organisation] = {}
    for name, kind, accredited in ORGANISATIONS:
        orgs[name] = services.organisation_create(
            actor=None, name=name, kind=kind, is_accredited=accredited
        )
    if size == "region":
        for i in range(1, 101):
            orgs[f"Comune {i:03d}"] = services.organisation_create(
                actor=None, name=f"Comune demo {i:03d}", kind=OrganisationKind.MUNICIPALITY
            )
    ctx["orgs"] = orgs
