"""quartiere import units|residents FILE --lab SLUG [--dry-run]: all rows or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from quartiere.accounts.models import Lab
from quartiere.backoffice.imports import KINDS, run_import
from quartiere.core.importing import FileFormatError


class Command(BaseCommand):
    help = "Import housing units or residents from a CSV or XLSX file into a lab."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--lab", required=True, help="the lab's short name (slug)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args: Any,
        kind: str,
        file: Path,
        lab: str,
        dry_run: bool,
        no_progress: bool,
        **opts: Any,
    ) -> None:
        target = (
            Lab.objects.select_related("district", "lead_organisation").filter(slug=lab).first()
        )
        if target is None:
            raise CommandError(f"No lab with short name {lab!r}.")
        if not file.is_file():
            raise CommandError(f"File not found: {file}")
        bars: list[Any] = []

        def factory(total: int) -> Callable[[int], None]:
            bar = tqdm(
                total=total,
                desc=f"checking {kind}",
                unit="row",
                disable=no_progress,
                file=self.stderr._out,
            )
            bars.append(bar)
            return bar.update

        try:
            report = run_import(
                actor=None,
                lab=target,
                kind=kind,
                data=file.read_bytes(),
                filename=file.name,
                dry_run=dry_run,
                progress_factory=factory,
            )
        except FileFormatError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()
        if report.errors:
            for line, reason in report.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(
                f"{len(report.errors)} bad row(s) out of {report.total}: nothing was written."
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.total} rows checked, no errors (dry run: nothing written)."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.total} rows imported: {report.created} created, "
                    f"{report.updated} updated."
                )
            )
