from django.urls import reverse

from quartiere.core.links import pk_url


def test_pk_url_gives_the_same_address_as_reverse():
    url = pk_url("backoffice:resident_detail")
    for pk in (1, 42, 918273645, 10**9):
        assert url(pk) == reverse("backoffice:resident_detail", args=[pk])


def test_pk_url_refuses_a_value_that_is_not_a_number():
    url = pk_url("backoffice:resident_detail")
    try:
        url("1/../../admin")
    except ValueError:
        return
    raise AssertionError("a non-numeric pk was accepted")
