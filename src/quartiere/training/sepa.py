"""SEPA files: the pain.001 credit transfer we send, the pain.002 status report we get back.

Built with ``sepaxml`` and validated against the pain.001.001.03 XSD it ships (through
``xmlschema``). Every identifier in the file is derived from the batch (message id, payment
information id, end-to-end ids), and the creation time is passed in, so the same batch gives the
same bytes. Bank outcomes are read from a pain.002 status report or from a simple CSV
(``end_to_end_id,status[,reason]``). No database access here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumValidationError

SCHEMA = "pain.001.001.03"
# pain.002 transaction statuses: accepted ones mean the money left; RJCT means it did not.
PAID_CODES = frozenset({"ACSC", "ACCC", "ACSP", "ACCP", "ACWC", "ACTC", "PAID", "OK"})
FAILED_CODES = frozenset({"RJCT", "FAILED", "KO", "CANC"})


class SepaError(Exception):
    """The file could not be built or read; ``str(exc)`` is safe to show."""


@dataclass(frozen=True, slots=True)
class Debtor:
    name: str
    iban: str
    bic: str = ""


@dataclass(frozen=True, slots=True)
class Transfer:
    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal
    description: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One transaction's result as reported by the bank (``row`` = line or position)."""

    row: int
    end_to_end_id: str
    paid: bool | None
    code: str
    reason: str = ""


def to_cents(amount: Decimal) -> int:
    """Return an amount in euros as integer cents; refuse fractions of a cent."""
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise SepaError(f"Amount {amount} is not a whole number of cents.")
    return int(cents)


def normalise_iban(value: str) -> str:
    """Return the IBAN in compact upper-case form, or raise SepaError when it fails its check."""
    try:
        return str(stdnum_iban.validate(value))
    except StdnumValidationError as exc:
        raise SepaError(f"Invalid IBAN: {stdnum_iban.compact(value)[:4]}…") from exc


class _Transfer(SepaTransfer):  # type: ignore[misc]
    """sepaxml's transfer with stable identifiers and a given creation time."""

    def __init__(self, config: dict[str, Any], *, message_id: str, created_at: dt.datetime):
        self._stable_id = message_id
        super().__init__(config, schema=SCHEMA, clean=True)
        header = self._xml.find("CstmrCdtTrfInitn/GrpHdr")
        header.find("MsgId").text = message_id
        header.find("CreDtTm").text = created_at.strftime("%Y-%m-%dT%H:%M:%S")

    def _finalize_batch(self) -> None:
        super()._finalize_batch()
        for number, node in enumerate(self._xml.iter("PmtInfId"), start=1):
            node.text = f"{self._stable_id}-{number}"[:35]


def build_pain001(
    *,
    message_id: str,
    created_at: dt.datetime,
    execution_on: dt.date,
    debtor: Debtor,
    transfers: Sequence[Transfer],
) -> bytes:
    """Build a pain.001.001.03 credit transfer file (one transaction per transfer), validated
    against the XSD; raise SepaError on any invalid value."""
    if not transfers:
        raise SepaError("There is nothing to transfer.")
    config: dict[str, Any] = {
        "name": debtor.name,
        "IBAN": normalise_iban(debtor.iban),
        "batch": True,
        "currency": "EUR",
    }
    if debtor.bic:
        config["BIC"] = debtor.bic.strip().upper()
    try:
        document = _Transfer(config, message_id=message_id, created_at=created_at)
        for item in transfers:
            document.add_payment(
                {
                    "name": item.name,
                    "IBAN": normalise_iban(item.iban),
                    "amount": to_cents(item.amount),
                    "execution_date": execution_on,
                    "description": item.description,
                    "endtoend_id": item.end_to_end_id,
                }
            )
        content = bytes(document.export(validate=False))
    except SepaValidationError as exc:
        raise SepaError(str(exc)) from exc
    validate_pain001(content)
    return content


@cache
def _schema() -> Any:
    """The pain.001.001.03 XSD shipped with sepaxml, parsed once per process."""
    import sepaxml
    import xmlschema

    folder = Path(sepaxml.__file__).parent / "schemas"
    return xmlschema.XMLSchema(str(folder / f"{SCHEMA}.xsd"))


def validate_pain001(content: bytes) -> None:
    """Raise SepaError unless ``content`` is valid against the pain.001.001.03 XSD."""
    import xmlschema

    try:
        _schema().validate(content.decode())
    except xmlschema.XMLSchemaValidationError as exc:
        raise SepaError(f"The SEPA file is not valid: {exc.reason}") from exc


def _status(code: str) -> bool | None:
    code = code.strip().upper()
    if code in PAID_CODES:
        return True
    if code in FAILED_CODES:
        return False
    return None


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _is_reason(element: Any, name: str, current: str) -> bool:
    if name in {"Cd", "Prtry"}:
        return _local(element.getparent().tag) == "Rsn"
    return name == "AddtlInf" and not current


def parse_pain002(content: bytes) -> list[Outcome]:
    """Read the transaction statuses of a pain.002 status report (any version)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise SepaError("The file is not well-formed XML.") from exc
    if not any(_local(el.tag) == "CstmrPmtStsRpt" for el in root.iter()):
        raise SepaError("The file is not a pain.002 payment status report.")
    outcomes: list[Outcome] = []
    for position, tx in enumerate(
        (el for el in root.iter() if _local(el.tag) == "TxInfAndSts"), start=1
    ):
        e2e = code = reason = ""
        for child in tx.iter():
            name = _local(child.tag)
            if name == "OrgnlEndToEndId":
                e2e = (child.text or "").strip()
            elif name == "TxSts":
                code = (child.text or "").strip()
            elif _is_reason(child, name, reason):
                reason = (child.text or "").strip()
        outcomes.append(Outcome(position, e2e, _status(code), code, reason[:200]))
    if not outcomes:
        raise SepaError("The status report lists no transactions.")
    return outcomes


def parse_outcome_csv(content: bytes) -> list[Outcome]:
    """Read ``end_to_end_id,status[,reason]`` rows (a header row is skipped)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SepaError("The file is not UTF-8 text.") from exc
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    outcomes: list[Outcome] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in {"end_to_end_id", "endtoendid", "e2e", "id"}:
            continue
        e2e = cells[0] if cells else ""
        code = cells[1] if len(cells) > 1 else ""
        reason = cells[2] if len(cells) > 2 else ""
        outcomes.append(Outcome(number, e2e, _status(code), code, reason[:200]))
    if not outcomes:
        raise SepaError("The file lists no transactions.")
    return outcomes


def parse_outcomes(content: bytes) -> list[Outcome]:
    """Read a bank outcome file: a pain.002 XML report or a CSV."""
    if content.lstrip()[:1] == b"<":
        return parse_pain002(content)
    return parse_outcome_csv(content)
