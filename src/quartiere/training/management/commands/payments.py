"""``quartiere payments list`` and ``quartiere payments export BATCH_ID --output FILE``.

The export writes the batch's stored SEPA file, byte for byte what the page downloads; a batch
that was approved but not yet exported is exported first (once, as the page does).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartiere.core.exceptions import ApplicationError
from quartiere.training.models import PaymentBatch
from quartiere.training.payments_enums import PaymentBatchState
from quartiere.training.services import payments as services


class Command(BaseCommand):
    help = "Allowance payment batches: list them, or write a batch's SEPA file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="print id, lab, month, state and total of batches")
        listing.add_argument("--state", choices=PaymentBatchState.values, help="only this state")
        export = sub.add_parser("export", help="write a batch's SEPA pain.001 file")
        export.add_argument("batch_id", type=int)
        export.add_argument("--output", required=True, help="file to write ('-' for stdout)")
        export.add_argument(
            "--as-user",
            default="",
            help="username recorded in the audit when the batch still has to be exported",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options.get("state"))
        else:
            self._export(options["batch_id"], options["output"], options["as_user"])

    def _list(self, state: str | None) -> None:
        qs = PaymentBatch.objects.select_related("lab", "measure").defer("sepa_file")
        if state:
            qs = qs.filter(state=state)
        rows = list(qs.order_by("month", "lab__name", "id"))
        self.stdout.write(f"{'ID':>6}  {'LAB':<30}  {'MONTH':<7}  {'STATE':<13}  {'TOTAL EUR':>12}")
        for batch in rows:
            self.stdout.write(
                f"{batch.pk:>6}  {batch.lab.name[:30]:<30}  {batch.month:%Y-%m}  "
                f"{batch.state:<13}  {batch.total_amount:>12}"
            )
        self.stdout.write(f"{len(rows)} batches")

    def _export(self, batch_id: int, output: str, username: str) -> None:
        batch = PaymentBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"No payment batch with id {batch_id}.")
        if batch.sepa_file is None:
            if batch.state != PaymentBatchState.APPROVED:
                raise CommandError(
                    f"Batch {batch_id} is {batch.state}: only an approved batch can be exported."
                )
            actor = get_user_model().objects.filter(username=username).first() if username else None
            if username and actor is None:
                raise CommandError(f"No user called {username}.")
            try:
                batch = services.payment_batch_export(batch=batch, actor=actor)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        content = bytes(batch.sepa_file or b"")
        if output == "-":
            sys.stdout.buffer.write(content)
            return
        Path(output).write_bytes(content)
        self.stderr.write(
            f"Wrote {len(content)} bytes to {output} "
            f"(batch {batch.pk}, SHA-256 {batch.sepa_checksum})."
        )
