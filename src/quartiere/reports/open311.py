"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``.

Public and fast: plain Django views (no DRF, no session or user work), one query per read,
rows read with ``.values()``. The output never carries personal data: no contact, resident,
unit or free-text description; the place is the building's address and coordinates, or the
report's own map point rounded to three decimals (about 100 m).

Identifiers: ``service_code`` is the category's code, ``service_request_id`` the report's
tracking code, ``address_id`` a building's id. POST checks the request and stores it; with the
database task queue the worker makes the report, so POST answers with a token that
``tokens/{token}`` turns into the id (``services.open311_intake_accept``). A report made at once
(with media, or where tasks run at once) answers with its id, which is also its own token.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import public
from quartiere.reports import selectors, services
from quartiere.reports.enums import ReportChannel
from quartiere.reports.models import Category
from quartiere.reports.uploads import MAX_BYTES

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00Z"  # change when this endpoint's behaviour changes
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
OPEN311_STATUSES = ("open", "closed")
# The XML element of each item of a list, by the list's element.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATTRIBUTE_PARAM = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\])?$")
# Service field names as an Open311 client knows them.
PARAM_NAMES = {
    "category": "service_code",
    "contact_email": "email",
    "contact_name": "first_name",
    "contact_phone": "phone",
    "latitude": "lat",
    "longitude": "long",
    "location": "lat/long",
    "address_text": "address_string",
    "building": "address_id",
    "entrance": "address_id",
    "attachments": "media",
}


# --- Output ---------------------------------------------------------------------------------


XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if XML_INVALID.search(text):
        text = XML_INVALID.sub("", text)
    return text.translate(XML_ESCAPES)


def _write(tag: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{tag}>")
        for name, child in value.items():
            _write(name, child, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{tag}>")
        item = ITEM_TAGS[tag]
        for child in value:
            _write(item, child, out)
        out.append(f"</{tag}>")
    elif value is None or value == "":
        out.append(f"<{tag}/>")
    else:
        out.append(f"<{tag}>{_xml_text(value)}</{tag}>")


def to_xml(root: str, payload: Any) -> bytes:
    """Write ``payload`` as the spec's XML under ``root`` (lists become repeated elements).

    Element names are this module's constants; text is escaped and stripped of characters
    XML cannot carry.
    """
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _write(root, payload, out)
    return "".join(out).encode()


def _respond(fmt: str, root: str, payload: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, payload)
    else:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _errors(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """Answer with the spec's error list: ``[{"code": <HTTP status>, "description": ...}]``."""
    payload = [{"code": status, "description": text} for text in descriptions]
    return _respond(fmt if fmt in CONTENT_TYPES else "json", "errors", payload, status=status)


def _not_found(fmt: str) -> HttpResponse:
    return _errors(fmt, 404, [_("Not found.")])


class _Clock:
    """Write W3C datetimes in the current time zone (looked up once per response)."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self._days: dict[dt.date, str] = {}

    def at(self, value: dt.datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else None

    def end_of(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        text = self._days.get(day)
        if text is None:
            end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=self.tz)
            text = self._days[day] = end.isoformat(timespec="seconds")
        return text


def _english() -> bool:
    return (get_language() or "it").startswith("en")


def request_output(row: Mapping[str, Any], *, english: bool, clock: _Clock) -> dict[str, Any]:
    """Shape one row of ``open311_request_list`` as an Open311 request (public facts only)."""
    is_open = bool(row["still_open"])
    return {
        "service_request_id": row["tracking_code"],
        "status": "open" if is_open else "closed",
        "status_notes": row["status_notes"] or "",
        "service_name": (english and row["category__name_en"]) or row["category__name_it"],
        "service_code": row["category__code"],
        "agency_responsible": row["agency_responsible"],
        "service_notice": "",
        "requested_datetime": clock.at(row["submitted_at"]),
        "updated_datetime": clock.at(row["status_changed_at"]),
        "expected_datetime": clock.end_of(row["resolve_due_on"]) if is_open else None,
        "address": row["address"],
        "address_id": row["building_id"],
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": None,
    }


def _service_notice(acknowledge_days: int, resolve_days: int) -> str:
    return _(
        "Taken in charge within %(ack)s business days; expected to be solved within "
        "%(res)s business days."
    ) % {"ack": acknowledge_days, "res": resolve_days}


def _service_output(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes.all()),
        "type": "realtime",
        "keywords": "",
        "group": category.group or category.lab.name,
    }


def _attribute_output(attribute: Any) -> dict[str, Any]:
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.is_required,
        "datatype_description": "",
        "order": attribute.order,
        "description": attribute.description,
        "values": [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in attribute.values or []
        ],
    }


# --- Input ----------------------------------------------------------------------------------


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _parse_when(raw: str, name: str, errors: list[str]) -> dt.datetime | None:
    """Read a W3C datetime (or a date); a ``+`` sent unencoded arrives as a space."""
    text = raw.strip()
    if not text:
        return None
    if "T" in text:
        text = text.replace(" ", "+")
    try:
        value = parse_datetime(text)
        if value is None:
            day = parse_date(text)
            value = dt.datetime.combine(day, dt.time.min) if day else None
    except ValueError:
        value = None
    if value is None:
        errors.append(
            _("%(name)s must be a W3C date and time, e.g. 2026-01-31T08:00:00+01:00.")
            % {"name": name}
        )
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _attributes(data: Any) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for key in data:
        match = ATTRIBUTE_PARAM.match(key)
        if match:
            values = [v for v in data.getlist(key) if v != ""]
            answers.setdefault(match.group(1), []).extend(values)
    return answers


def _describe(exc: ApplicationError) -> list[str]:
    if not exc.fields:
        return [exc.message]
    return [
        f"{PARAM_NAMES.get(field, field)}: {message}"
        for field, messages in exc.fields.items()
        for message in messages
    ]


# --- Views ----------------------------------------------------------------------------------


@public
@require_safe
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Describe this endpoint: specification, URL, formats, and how our identifiers map."""
    if fmt not in CONTENT_TYPES:
        return _not_found(fmt)
    base = request.build_absolute_uri("/open311/v2/")
    payload = {
        "changeset": CHANGESET,
        "contact": _("Ask the neighbourhood social lab that runs the service."),
        "key_service": _(
            "API keys to post requests are issued by the administrators "
            "(quartiere open311-key create NAME [--lab SLUG])."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
        "notes": [
            "Resources: discovery, services, services/{service_code}, requests (GET, POST), "
            "requests/{service_request_id}, tokens/{token}; each as .json or .xml.",
            "service_code is the category code; service_request_id is the public tracking "
            "code; address_id is a building id.",
            "POST answers with the service_request_id when the request exists at once (with "
            "media, or where tasks run at once), else with a token: the worker makes the "
            "request within seconds, and tokens/{token} then gives its service_request_id "
            "(empty while waiting; 404 with the reason if it was refused).",
            "GET requests lists only categories shown publicly, without personal data: the "
            "last 90 days by default, newest first, at most 1000.",
            "POST requires api_key, service_code, description and a location (lat and long, "
            "address_string or address_id); media may be a JPEG, PNG or PDF up to 10 MB.",
        ],
    }
    return _respond(fmt, "discovery", payload)


@public
@require_safe
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """List the active categories as Open311 services."""
    if fmt not in CONTENT_TYPES:
        return _not_found(fmt)
    payload = [_service_output(c) for c in selectors.public_category_list()]
    return _respond(fmt, "services", payload)


@public
@require_safe
def service_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """Describe a service's extra questions (Open311 attributes)."""
    category = selectors.public_category_get(code=code) if fmt in CONTENT_TYPES else None
    if category is None:
        return _not_found(fmt)
    payload = {
        "service_code": category.code,
        "attributes": [_attribute_output(a) for a in category.attributes.all()],
    }
    return _respond(fmt, "service_definition", payload)


@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: public-category requests, filtered as the spec says. POST: create one (api_key)."""
    if fmt not in CONTENT_TYPES:
        return _not_found(fmt)
    if request.method == "POST":
        return _request_create(request, fmt)
    params = request.GET
    ids = _split(params.get("service_request_id"))[: selectors.OPEN311_MAX_RESULTS]
    if ids:  # the spec: ids override every other filter
        rows = list(selectors.open311_request_list(tracking_codes=ids))
    else:
        errors: list[str] = []
        start = _parse_when(params.get("start_date", ""), "start_date", errors)
        end = _parse_when(params.get("end_date", ""), "end_date", errors)
        if start and end and start > end:
            errors.append(_("start_date must not be after end_date."))
        statuses = {s.lower() for s in _split(params.get("status"))}
        if statuses - set(OPEN311_STATUSES):
            errors.append(_("status must be open, closed or both (comma separated)."))
        if errors:
            return _errors(fmt, 400, errors)
        codes = _split(params.get("service_code"))
        is_open = ("open" in statuses) if len(statuses) == 1 else None
        rows = list(
            selectors.open311_request_list(
                service_codes=codes, start=start, end=end, is_open=is_open
            )
        )
        # Codes are checked only when nothing matched: the usual answer needs no extra query.
        unknown = selectors.open311_unknown_service_codes(codes=codes) if codes and not rows else []
        if unknown:
            message = _("service_code not found: %(codes)s.") % {"codes": ", ".join(unknown)}
            return _errors(fmt, 400, [message])
    english, clock = _english(), _Clock()
    payload = [request_output(r, english=english, clock=clock) for r in rows]
    return _respond(fmt, "service_requests", payload)


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    raw_key = data.get("api_key") or request.GET.get("api_key", "")
    code = data.get("service_code", "").strip()
    address_id = data.get("address_id", "").strip()
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    media = request.FILES.get("media")
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    email = data.get("email", "").strip()
    request_fields: dict[str, Any] = {
        "latitude": lat or None,
        "longitude": lon or None,
        "address_text": address,
        "contact_name": name,
        "contact_email": email,
        "contact_phone": data.get("phone", ""),
        "language": (get_language() or "it")[:2],
        "attributes": _attributes(data),
        "description": data.get("description", ""),
    }
    if media is None and bool(lat) == bool(lon) and (not address_id or address_id.isdigit()):
        # The usual request, stored for the worker in one statement when all is well.
        stored = services.open311_intake_store(
            raw_key=raw_key,
            service_code=code,
            building_id=int(address_id) if address_id else None,
            **request_fields,
        )
        if stored is not None:
            notice = _service_notice(stored.acknowledge_days, stored.resolve_days)
            row = {"token": stored.token, "service_notice": notice, "account_id": None}
            return _respond(fmt, "service_requests", [row])
    prefix = raw_key.partition(".")[0]
    # One query reads the category, the key (never cached: a revocation counts at once), the
    # building and whether there are extra questions; the key alone when the code is unknown.
    category = (
        selectors.open311_intake_get(
            key_prefix=prefix,
            service_code=code,
            building_id=int(address_id) if address_id.isdigit() else None,
        )
        if code and prefix
        else None
    )
    if category is not None:
        key = services.open311_key_verify(key=category.intake_key, raw=raw_key)  # type: ignore[attr-defined]
    else:
        key = services.open311_key_authenticate(raw_key)
    if key is None:
        return _errors(fmt, 403, [_("api_key is missing, not valid or revoked.")])
    if category is None:
        message = _("service_code not found: %(codes)s.") % {"codes": code}
        return _errors(fmt, 400, [message if code else _("service_code is required.")])
    if key.lab_id is not None and key.lab_id != category.lab_id:
        return _errors(fmt, 403, [_("This api_key may not post to this service_code.")])
    errors: list[str] = []
    if bool(lat) != bool(lon):
        errors.append(_("lat and long must be given together."))
    building = category.intake_building  # type: ignore[attr-defined]
    if address_id and building is None:
        errors.append(_("address_id not found: %(id)s.") % {"id": address_id})
    if not (lat and lon) and not address and not address_id:
        errors.append(_("A location is required: lat and long, address_string or address_id."))
    if errors:
        return _errors(fmt, 400, errors)
    fields: dict[str, Any] = {
        **request_fields,
        "category": category,
        "building": building,
        "questions": [] if not category.attribute_count else None,  # type: ignore[attr-defined]
    }
    try:
        if media is not None:  # a file does not wait in the queue: the report is made at once
            report = services.report_submit(
                lab=category.lab,
                channel=ReportChannel.API,
                api_key=key,
                wants_updates=bool(email),
                uploads=[(media.name or "media", media.read(MAX_BYTES + 1))],
                **fields,
            )
            request_id: str | None = report.tracking_code
            token = None
        else:
            intake = services.open311_intake_accept(key=key, **fields)
            request_id = intake.report.tracking_code if intake.report is not None else None
            token = None if request_id else intake.token
    except ApplicationError as exc:
        return _errors(fmt, 400, _describe(exc))
    # The spec: the request's id when it exists already, else a token for tokens/{token}.
    answer = {"token": token} if token else {"service_request_id": request_id}
    notice = _service_notice(category.acknowledge_days, category.resolve_days)
    payload = [{**answer, "service_notice": notice, "account_id": None}]
    return _respond(fmt, "service_requests", payload)


@public
@require_safe
def request_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """One public-category request; a private or unknown one is 404."""
    row = selectors.open311_request_get(tracking_code=code) if fmt in CONTENT_TYPES else None
    if row is None:
        return _not_found(fmt)
    payload = [request_output(row, english=_english(), clock=_Clock())]
    return _respond(fmt, "service_requests", payload)


@public
@require_safe
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Turn a token into its service_request_id: empty while the worker has not made the report
    yet; 404 for an unknown token or one whose request the worker refused (with the reason).
    A report's own id is its token too (a request made at once answers with its id)."""
    found = selectors.open311_token_get(token=token) if fmt in CONTENT_TYPES else None
    if found is None:
        return _not_found(fmt)
    if found.refusal:
        message = _("The request with this token was refused: %(reason)s") % {
            "reason": found.refusal
        }
        return _errors(fmt, 404, [message])
    row = {"service_request_id": found.service_request_id, "token": found.token}
    return _respond(fmt, "service_requests", [row])
