"""Every training page renders for the people who use it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartiere.training.models import AttendanceRecord
from quartiere.training.services import registers as reg
from quartiere.training.tests.conftest import enrol

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_coordinator_pages_render(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    c = _client(world.coordinator)
    urls = [
        reverse("training:measure_list"),
        reverse("training:measure_detail", args=[world.measure.pk]),
        reverse("training:measure_update", args=[world.measure.pk]),
        reverse("training:measure_create"),
        reverse("training:rule_add", args=[world.measure.pk]),
        reverse("training:path_list"),
        reverse("training:path_create", args=[world.measure.pk]),
        reverse("training:path_detail", args=[world.path.pk]),
        reverse("training:path_update", args=[world.path.pk]),
        reverse("training:path_enrol", args=[world.path.pk]) + "?q=Rossi",
        reverse("training:check_new", args=[world.path.pk, world.resident.pk]),
        reverse("training:check_detail", args=[world.path.pk, enrolment.eligibility_id]),
        reverse("training:enrolment_list"),
        reverse("training:enrolment_detail", args=[enrolment.pk]),
        reverse("training:register_list"),
        reverse("training:register_detail", args=[register.pk]),
    ]
    for url in urls:
        response = c.get(url)
        assert response.status_code == 200, url


def test_pdfs_render(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    c = _client(world.coordinator)
    for url in (
        reverse("training:register_pdf", args=[register.pk]),
        reverse("training:enrolment_statement", args=[enrolment.pk]),
    ):
        response = c.get(url)
        assert response.status_code == 200
        assert response.content[:4] == b"%PDF"


def test_trainer_sees_register_form(world):
    enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    response = _client(world.trainer).get(reverse("training:register_detail", args=[register.pk]))
    assert b'data-testid="register-form"' in response.content
    assert not AttendanceRecord.objects.exists()
