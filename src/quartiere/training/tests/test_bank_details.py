"""Changing a participant's IBAN: validated, in their own name, on all their enrolments, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartiere.accounts.enums import Role
from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AuditEvent
from quartiere.training.models import Enrolment
from quartiere.training.seeds import italian_iban
from quartiere.training.services import enrolment as services
from quartiere.training.tests.conftest import GOOD_IBAN, enrol
from quartiere.training.tests.factories import TrainingPathFactory

pytestmark = pytest.mark.django_db

NEW_IBAN = italian_iban("03069", "09606", "100000012345")


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def two_paths(world):
    """Mario Rossi enrolled on two paths of the measure."""
    second_path = TrainingPathFactory(measure=world.measure, operator=world.operator)
    return enrol(world), enrol(world, path=second_path)


def test_change_applies_to_every_enrolment_of_the_participant_in_the_lab(world, two_paths):
    first, second = two_paths

    changed = services.enrolment_bank_details_change(
        actor=world.coordinator, enrolment=first, iban=NEW_IBAN, account_holder="Rossi  Mario"
    )

    assert {e.pk for e in changed} == {first.pk, second.pk}
    for enrolment in Enrolment.objects.filter(pk__in=[first.pk, second.pk]):
        assert enrolment.iban == NEW_IBAN
        assert enrolment.iban_masked == services.mask_iban(NEW_IBAN)
        assert enrolment.account_holder == "Rossi Mario"
    events = AuditEvent.objects.filter(action="training.enrolment_bank_details")
    assert sorted(events.values_list("target_id", flat=True)) == sorted(
        [str(first.pk), str(second.pk)]
    )


@pytest.mark.parametrize(
    ("iban", "holder", "field"),
    [
        (NEW_IBAN[:-1] + ("0" if NEW_IBAN[-1] != "0" else "1"), "Mario Rossi", "iban"),
        (NEW_IBAN, "Giulia Bianchi", "account_holder"),
    ],
)
def test_change_is_refused_per_field_and_changes_nothing(world, two_paths, iban, holder, field):
    first, _second = two_paths

    with pytest.raises(ApplicationError) as caught:
        services.enrolment_bank_details_change(
            actor=world.coordinator, enrolment=first, iban=iban, account_holder=holder
        )

    assert field in caught.value.fields
    assert set(Enrolment.objects.values_list("iban", flat=True)) == {GOOD_IBAN}
    assert not AuditEvent.objects.filter(action="training.enrolment_bank_details").exists()


def test_page_saves_the_new_iban_and_shows_it_masked(world, two_paths):
    first, _second = two_paths
    client = _client(world.coordinator)
    url = reverse("training:enrolment_bank_details", args=[first.pk])

    form_page = client.get(url)
    response = client.post(url, {"iban": NEW_IBAN, "account_holder": "Mario Rossi"})

    assert form_page.status_code == 200
    assert 'for="id_iban"' in form_page.content.decode()
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert services.mask_iban(NEW_IBAN) in detail
    assert "2 enrolments" in detail


def test_page_shows_the_refusal_on_the_field_and_keeps_the_old_iban(world, two_paths):
    first, _second = two_paths
    url = reverse("training:enrolment_bank_details", args=[first.pk])

    response = _client(world.coordinator).post(
        url, {"iban": "IT00X0000000000000000000000", "account_holder": "Mario Rossi"}
    )

    assert response.status_code == 400
    assert 'id="id_iban_error"' in response.content.decode()
    assert "This IBAN is not valid" in response.content.decode()
    assert Enrolment.objects.get(pk=first.pk).iban == GOOD_IBAN


def test_page_is_refused_to_a_trainer_and_hidden_from_another_lab(
    world, two_paths, make_user, other_lab
):
    first, _second = two_paths
    url = reverse("training:enrolment_bank_details", args=[first.pk])
    stranger = make_user(Role.LAB_COORDINATOR, other_lab, username="coord_other")

    assert _client(world.trainer).get(url).status_code == 403
    assert _client(stranger).get(url).status_code == 404
    assert _client(stranger).post(url, {"iban": NEW_IBAN}).status_code == 404
