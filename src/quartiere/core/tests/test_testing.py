"""The test helpers themselves: a snapshot must put back exactly what it took."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from quartiere.core.testing import TableSnapshot, requires_postgresql


# Like every transactional test here: the rows the migrations wrote are put back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_snapshot_restore_puts_back_the_rows_taken_and_drops_later_ones() -> None:
    kept = Group.objects.create(name="snapshot-kept")
    probe, _ = ContentType.objects.get_or_create(app_label="core", model="snapshotprobe")
    kept.permissions.add(
        Permission.objects.create(content_type=probe, codename="probe", name="Probe")
    )
    snapshot = TableSnapshot.take()
    taken = sorted(Group.objects.values_list("name", flat=True))

    Group.objects.create(name="snapshot-later")
    kept.permissions.clear()
    kept.delete()
    snapshot.restore()

    assert sorted(Group.objects.values_list("name", flat=True)) == taken
    assert Group.objects.get(name="snapshot-kept").permissions.count() == 1


@requires_postgresql
# Like every transactional test here: the rows the migrations wrote are put back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_snapshot_restore_moves_id_sequences_past_the_rows_put_back() -> None:
    Group.objects.create(name="snapshot-first")
    snapshot = TableSnapshot.take()
    highest = Group.objects.order_by("-pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:  # as if the table had been truncated meanwhile
        cursor.execute("SELECT setval(pg_get_serial_sequence('auth_group', 'id'), 1, false)")
    snapshot.restore()

    added = Group.objects.create(name="snapshot-after-restore")

    assert highest is not None
    assert added.pk > highest
