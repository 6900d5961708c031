"""A process killed in the middle of building or exporting a batch leaves nothing behind.

Each test runs the real service in a separate Python process against the test database, stops
it inside the service's transaction once everything is written and audited but not
committed, kills it with SIGKILL as an operator or the kernel would, and then checks
what PostgreSQL kept: nothing of the killed run, and a batch that builds or exports normally
afterwards (PostgreSQL only: the test database must be reachable from another process).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from quartiere.accounts.enums import Role
from quartiere.core.testing import requires_postgresql
from quartiere.training.models import PaymentBatch, PaymentLine
from quartiere.training.payments_enums import PaymentBatchState
from quartiere.training.services import payments as svc
from quartiere.training.tests.payments_factories import (
    add_hours,
    make_enrolment,
    make_measure,
    make_path,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_postgresql,
]

JAN = dt.date(2024, 1, 1)

# Runs in the child process: the service, stalled at ``step`` until the parent kills it.
CHILD = """
import datetime as dt, sys, time
from pathlib import Path
import django
django.setup()
from quartiere.accounts.models import User
from quartiere.training.models import PaymentBatch
from quartiere.training.services import payments as svc

flag, step, batch_id, actor_id = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def stall():
    flag.write_text("inside the transaction")
    time.sleep(300)

change = svc._change

def change_then_stall(*args, **kwargs):
    change(*args, **kwargs)  # the batch saved and audited: only the commit is missing
    stall()

svc._change = change_then_stall

batch = PaymentBatch.objects.get(pk=batch_id)
actor = User.objects.get(pk=actor_id)
if step == "build":
    svc.payment_batch_build(batch=batch, actor=actor)
else:
    svc.payment_batch_export(batch=batch, actor=actor, execution_on=dt.date(2024, 4, 5))
"""


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


def _kill_inside(step: str, batch: PaymentBatch, actor_id: int, tmp_path: Path) -> None:
    flag = tmp_path / f"{step}.flag"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "quartiere.settings",
        "QUARTIERE_ENV": "test",
    }
    child = subprocess.Popen(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", CHILD, str(flag), step, str(batch.pk), str(actor_id)],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            if child.poll() is not None:
                pytest.fail(f"the child ended before the kill: {child.stderr.read().decode()}")
            assert time.monotonic() < deadline, "the child never reached the stall point"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def _wait_for_locks_released(batch: PaymentBatch) -> None:
    """PostgreSQL ends the killed session when it notices the closed socket."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)
    pytest.fail("the killed session still holds its transaction")


@pytest.fixture
def setting(lab, make_user):
    measure = make_measure(lab)
    path = make_path(measure)
    for number in range(3):
        add_hours(make_enrolment(path, number=number), JAN, "20")
    builder = make_user(Role.LAB_COORDINATOR, lab, username="builder_k")
    approver = make_user(Role.LAB_COORDINATOR, lab, username="approver_k")
    return measure, builder, approver


def test_build_killed_before_its_commit_leaves_no_partial_batch(setting, tmp_path) -> None:
    measure, builder, _approver = setting
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=builder)

    _kill_inside("build", batch, builder.pk, tmp_path)
    _wait_for_locks_released(batch)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.DRAFT
    assert not PaymentLine.objects.filter(batch=batch).exists()
    rebuilt = svc.payment_batch_build(batch=batch, actor=builder)
    assert rebuilt.line_count == 3
    assert PaymentLine.objects.filter(batch=batch).count() == 3


def test_export_killed_before_its_commit_leaves_no_file_and_exports_once_later(
    setting, tmp_path
) -> None:
    measure, builder, approver = setting
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=builder)
    svc.payment_batch_build(batch=batch, actor=builder)
    svc.payment_batch_approve(batch=batch, actor=approver)

    _kill_inside("export", batch, approver.pk, tmp_path)
    _wait_for_locks_released(batch)

    batch = PaymentBatch.objects.get(pk=batch.pk)
    assert batch.state == PaymentBatchState.APPROVED
    assert batch.sepa_file is None
    exported = svc.payment_batch_export(
        batch=batch, actor=approver, execution_on=dt.date(2024, 4, 5)
    )
    again = svc.payment_batch_export(batch=PaymentBatch.objects.get(pk=batch.pk), actor=approver)
    assert exported.state == PaymentBatchState.EXPORTED
    assert bytes(again.sepa_file) == bytes(exported.sepa_file)
    assert PaymentLine.objects.filter(batch=batch, amount__gt=0).count() == 3
