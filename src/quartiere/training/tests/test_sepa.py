"""SEPA pain.001 building (XSD-valid, exact cents, stable ids) and outcome parsing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from quartiere.training import sepa

DEBTOR = sepa.Debtor("Comune di Milano", "IT40S0542811101000000123456", "BPMOIT22XXX")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def build(transfers, **kwargs):
    return sepa.build_pain001(
        message_id=kwargs.get("message_id", "QRT-1-202401"),
        created_at=dt.datetime(2024, 2, 1, 10, 0, tzinfo=dt.UTC),
        execution_on=dt.date(2024, 2, 5),
        debtor=DEBTOR,
        transfers=transfers,
    )


def transfer(e2e="Q1-1-202401-A", amount="100.00", iban="IT60X0542811101000000123456"):
    return sepa.Transfer(e2e, "Maria Lòpez", iban, Decimal(amount), "Indennita 2024-01")


def test_pain001_is_valid_against_the_xsd():
    content = build([transfer(), transfer("Q1-2-202401-A", "0.01", "DE89370400440532013000")])

    sepa.validate_pain001(content)


def test_pain001_is_the_same_bytes_for_the_same_batch():
    assert build([transfer()]) == build([transfer()])


def test_pain001_has_one_transaction_per_transfer_with_its_end_to_end_id():
    content = build([transfer("A-1"), transfer("A-2", "12.34")])

    tree = etree.fromstring(content)
    ids = tree.xpath("//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()", namespaces=NS)
    assert ids == ["A-1", "A-2"]
    assert tree.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS) == ["112.34"]
    assert tree.xpath("//p:GrpHdr/p:MsgId/text()", namespaces=NS) == ["QRT-1-202401"]


def test_pain001_refuses_fractions_of_a_cent():
    with pytest.raises(sepa.SepaError):
        build([transfer(amount="10.005")])


def test_pain001_refuses_bad_iban():
    with pytest.raises(sepa.SepaError):
        build([transfer(iban="IT00X0000000000000000000000")])


def test_pain001_refuses_empty_batch():
    with pytest.raises(sepa.SepaError):
        build([])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=99_999_999), min_size=1, max_size=5))
def test_control_sum_is_exact_in_cents(cents):
    transfers = [transfer(f"E-{n}", str(Decimal(value) / 100)) for n, value in enumerate(cents)]

    tree = etree.fromstring(build(transfers))

    total = tree.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS)[0]
    assert Decimal(total) == Decimal(sum(cents)) / 100


def test_outcome_csv_with_semicolons_and_header():
    outcomes = sepa.parse_outcomes(b"end_to_end_id;status;reason\nA-1;ACSC;\nA-2;RJCT;AC04\n")

    assert [(o.row, o.end_to_end_id, o.paid, o.reason) for o in outcomes] == [
        (2, "A-1", True, ""),
        (3, "A-2", False, "AC04"),
    ]


def test_outcome_unknown_status_is_none():
    assert sepa.parse_outcomes(b"A-1,MAYBE")[0].paid is None


def test_pain002_rejects_other_xml():
    with pytest.raises(sepa.SepaError):
        sepa.parse_outcomes(b"<root><a/></root>")


def test_pain002_refuses_entities():
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'

    with pytest.raises(sepa.SepaError):
        sepa.parse_outcomes(evil)
