"""Run an import of units or residents for a lab: the one entry used by the page and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quartiere.core.importing import ImportReport, read_rows
from quartiere.people import services as people_services
from quartiere.territory import services as territory_services

KINDS = ("units", "residents")


def run_import(
    *,
    actor: Any,
    lab: Any,
    kind: str,
    data: bytes,
    filename: str,
    dry_run: bool,
    progress_factory: Callable[[int], Callable[[int], None]] | None = None,
) -> ImportReport:
    """Parse the file and hand its rows to the owning context (FileFormatError if unreadable)."""
    rows = read_rows(data, filename)
    progress = progress_factory(len(rows)) if progress_factory else None
    if kind == "units":
        return territory_services.units_import(
            actor=actor,
            district=lab.district,
            rows=rows,
            default_owner=lab.lead_organisation,
            dry_run=dry_run,
            lab_id=lab.pk,
            progress=progress,
        )
    if kind == "residents":
        return people_services.residents_import(
            actor=actor, lab=lab, rows=rows, dry_run=dry_run, progress=progress
        )
    raise ValueError(f"Unknown import kind {kind!r}")
