"""The same resident clicking "support" twice at once gives one support (PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from quartiere.core.exceptions import ApplicationError
from quartiere.core.testing import requires_postgresql
from quartiere.participation import services
from quartiere.participation.models import Proposal, Support

# serialized_rollback: the flush after these tests must not lose the role groups and other
# rows the migrations wrote, which the next transactional tests restore from the snapshot.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_postgresql,
]


def test_support_add_keeps_one_support_when_the_same_resident_clicks_twice_at_once(
    proposal, verified
):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click() -> None:
        try:
            one = Proposal.objects.get(pk=proposal.pk)
            barrier.wait(timeout=10)
            services.support_add(proposal=one, user=verified)
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("refused")
        except BaseException as exc:  # surfaced by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert Support.objects.filter(proposal=proposal).count() == 1
