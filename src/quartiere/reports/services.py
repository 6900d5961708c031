"""Writes on reports: intake, each workflow step, comments, attachments, notifications.

Every status change goes through ``_transition``: one locked, audited service per step, with a
status-change row and the followers' e-mails queued in the same transaction (the outbox), sent
after commit by a task so a mail failure never loses a report.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from quartiere.core import audit, compiled
from quartiere.core.exceptions import ApplicationError
from quartiere.reports import sla, workflow
from quartiere.reports.enums import (
    OPEN_STATUSES,
    AttributeDatatype,
    CommentVisibility,
    NotificationStatus,
    ReportChannel,
    ReportStatus,
)
from quartiere.reports.models import (
    Category,
    CategoryAttribute,
    Notification,
    Open311Intake,
    Open311Key,
    Report,
    ReportAttachment,
    ReportComment,
    ReportFollower,
    ReportPolicy,
    ReportStatusChange,
)
from quartiere.reports.uploads import UploadRejectedError, clean_upload

logger = logging.getLogger("quartiere.reports")

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
CATEGORY_FIELDS = (
    "code",
    "group",
    "name_it",
    "name_en",
    "description_it",
    "description_en",
    "responsible_organisation",
    "acknowledge_days",
    "resolve_days",
    "is_public",
    "is_active",
)


# --- Policy and categories ------------------------------------------------------------------


def report_policy_for(*, lab_id: int) -> ReportPolicy:
    """Return the lab's report policy, creating it with the defaults on first use."""
    policy, _created = ReportPolicy.objects.get_or_create(lab_id=lab_id)
    return policy


@transaction.atomic
def report_policy_update(*, actor: Any, lab_id: int, **fields: Any) -> ReportPolicy:
    """Change a lab's holiday calendar or reopen window; the subdivision must be known."""
    policy = report_policy_for(lab_id=lab_id)
    subdivision = fields.get("holiday_subdivision", policy.holiday_subdivision) or ""
    if subdivision and not sla.is_known_subdivision(subdivision):
        msg = _("Unknown province code for local holidays: %(code)s.") % {"code": subdivision}
        raise ApplicationError(msg, fields={"holiday_subdivision": [msg]})
    before = audit.snapshot(policy, ("holiday_subdivision", "reopen_days"))
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    audit.record(
        actor=actor,
        action="reports.policy_update",
        target=policy,
        lab_id=lab_id,
        changes=audit.diff(before, audit.snapshot(policy, ("holiday_subdivision", "reopen_days"))),
    )
    return policy


def _check_category(category: Category) -> None:
    if category.resolve_days < category.acknowledge_days:
        msg = _("The days to resolve cannot be fewer than the days to acknowledge.")
        raise ApplicationError(msg, fields={"resolve_days": [msg]})
    clash = Category.objects.filter(code=category.code).exclude(pk=category.pk).exists()
    if clash:
        msg = _("Another category already uses this service code.")
        raise ApplicationError(msg, fields={"code": [msg]})


@transaction.atomic
def category_create(*, actor: Any, lab: Any, **fields: Any) -> Category:
    """Add a report category to a lab; its service code must be unique."""
    category = Category(lab=lab, **fields)
    _check_category(category)
    category.save()
    audit.record(
        actor=actor,
        action="reports.category_create",
        target=category,
        changes=audit.snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def category_update(*, actor: Any, category: Category, **fields: Any) -> Category:
    """Change a category; open reports keep the due dates they were given."""
    before = audit.snapshot(category, CATEGORY_FIELDS)
    for name, value in fields.items():
        setattr(category, name, value)
    _check_category(category)
    category.save()
    audit.record(
        actor=actor,
        action="reports.category_update",
        target=category,
        changes=audit.diff(before, audit.snapshot(category, CATEGORY_FIELDS)),
    )
    return category


@transaction.atomic
def category_attribute_save(
    *, actor: Any, category: Category, attribute: CategoryAttribute | None = None, **fields: Any
) -> CategoryAttribute:
    """Add or change an extra question; list answers need at least one choice."""
    attr = attribute or CategoryAttribute(category=category)
    for name, value in fields.items():
        setattr(attr, name, value)
    is_list = attr.datatype in (AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST)
    if is_list and not attr.values:
        msg = _("A question answered from a list needs its choices.")
        raise ApplicationError(msg, fields={"values": [msg]})
    clash = (
        CategoryAttribute.objects.filter(category=category, code=attr.code)
        .exclude(pk=attr.pk)
        .exists()
    )
    if clash:
        msg = _("This category already has a question with this code.")
        raise ApplicationError(msg, fields={"code": [msg]})
    attr.save()
    audit.record(
        actor=actor,
        action="reports.category_attribute_save",
        target=attr,
        lab_id=category.lab_id,
        changes=fields,
    )
    return attr


@transaction.atomic
def category_attribute_delete(*, actor: Any, attribute: CategoryAttribute) -> None:
    """Remove an extra question; answers already given stay on their reports."""
    audit.record(
        actor=actor,
        action="reports.category_attribute_delete",
        target=attribute,
        lab_id=attribute.category.lab_id,
    )
    attribute.delete()


# --- Intake ---------------------------------------------------------------------------------


def _new_tracking_code() -> str:
    """Draw a random code; 32^8 codes make a clash rare, and the unique index catches it."""
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return f"SG-{raw[:4]}-{raw[4:]}"


def _policy_of(lab: Any) -> ReportPolicy:
    """The lab's policy, from ``select_related("lab__report_policy")`` when it was loaded."""
    try:
        policy: ReportPolicy = lab.report_policy
    except ReportPolicy.DoesNotExist:
        return report_policy_for(lab_id=lab.pk)
    return policy


def clean_attributes(
    category: Category,
    raw: Mapping[str, Any],
    questions: Sequence[CategoryAttribute] | None = None,
) -> dict[str, Any]:
    """Check answers to the category's extra questions; raise ApplicationError per question.

    ``questions`` are the category's questions when the caller has them already (e.g. none).
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for attr in category.attributes.all() if questions is None else questions:
        key = f"attribute[{attr.code}]"
        value = raw.get(attr.code)
        if isinstance(value, list | tuple) and attr.datatype != AttributeDatatype.MULTIVALUELIST:
            value = value[0] if value else None
        if value in (None, "", [], ()):
            if attr.is_required:
                errors[key] = [_("An answer to “%(q)s” is required.") % {"q": attr.description}]
            continue
        if attr.datatype == AttributeDatatype.NUMBER:
            try:
                clean[attr.code] = str(Decimal(str(value)))
            except InvalidOperation:
                errors[key] = [_("Enter a number.")]
        elif attr.datatype == AttributeDatatype.DATETIME:
            parsed = parse_datetime(str(value))
            if parsed is None:
                errors[key] = [_("Enter a date and time (YYYY-MM-DDThh:mm).")]
            else:
                clean[attr.code] = parsed.isoformat()
        elif attr.datatype == AttributeDatatype.SINGLEVALUELIST:
            if str(value) not in attr.value_keys:
                errors[key] = [_("Choose one of the listed answers.")]
            else:
                clean[attr.code] = str(value)
        elif attr.datatype == AttributeDatatype.MULTIVALUELIST:
            values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
            if any(v not in attr.value_keys for v in values):
                errors[key] = [_("Choose among the listed answers.")]
            else:
                clean[attr.code] = values
        else:
            clean[attr.code] = str(value)[:2000]
    if errors:
        raise ApplicationError(_("Some answers are missing or not valid."), fields=errors)
    return clean


def _clean_point(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    """A map point to six decimals (about 10 cm), or (None, None) when none is given."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, TypeError):
        msg = _("The map point is not valid.")
        raise ApplicationError(msg, fields={"latitude": [msg]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        msg = _("The map point is not valid.")
        raise ApplicationError(msg, fields={"latitude": [msg]})
    return lat, lon


def _clean_location(
    *,
    lab: Any,
    building: Any,
    entrance: Any,
    unit: Any,
    latitude: Any,
    longitude: Any,
    address_text: str,
) -> tuple[Any, Any, Any, Decimal | None, Decimal | None]:
    if unit is not None:
        entrance = unit.entrance
        building = unit.building
    elif entrance is not None:
        if building is not None and entrance.building_id != building.pk:
            msg = _("The stair is not in the chosen building.")
            raise ApplicationError(msg, fields={"entrance": [msg]})
        building = entrance.building
    if building is not None and building.district_id != lab.district_id:
        msg = _("The building is not in this lab's district.")
        raise ApplicationError(msg, fields={"building": [msg]})
    lat, lon = _clean_point(latitude, longitude)
    if building is None and lat is None and not address_text.strip():
        msg = _("Say where: choose a building, point on the map, or write the address.")
        raise ApplicationError(msg, fields={"location": [msg]})
    return building, entrance, unit, lat, lon


EMAIL_REPORT_UPDATE = "report_update"  # reports/email/body.txt with a report's news


def _queue_notification(
    report: Report, *, recipient: str, language: str, event: str, note: str = ""
) -> Notification:
    """Write the e-mail to the outbox and queue its sending, in the caller's transaction.

    The subject is written now (the outbox lists it); the body is rendered by the task that
    sends it, from the template key and the parameters stored on the row.
    """
    with translation.override(language):
        subject = _("Your report %(code)s: %(status)s") % {
            "code": report.tracking_code,
            "status": ReportStatus(report.status).label,
        }
    notification = Notification.objects.create(
        lab_id=report.lab_id,
        report=report,
        recipient=recipient,
        subject=subject[:200],
        body="",
        template=EMAIL_REPORT_UPDATE,
        params={"event": event, "note": note, "status": report.status},
        language=language,
    )
    _schedule_send(notification.pk)
    return notification


def _render_body(notification: Notification) -> str:
    """Render a queued e-mail's body in its recipient's language (when it is sent)."""
    if notification.template != EMAIL_REPORT_UPDATE or notification.report_id is None:
        raise ValueError(f"no body and no known template ({notification.template!r})")
    report = Report.objects.select_related("category").get(pk=notification.report_id)
    params = notification.params or {}
    with translation.override(notification.language or "it"):
        context = {
            "report": report,
            "event": params.get("event", ""),
            "note": params.get("note", ""),
            "status": ReportStatus(params.get("status") or report.status).label,
            "category": report.category.name,
            "tracking_url": settings.QUARTIERE_PUBLIC_URL.rstrip("/")
            + reverse("reports_public:track", args=[report.tracking_code]),
        }
        return render_to_string("reports/email/body.txt", context)


def _schedule_send(notification_id: int) -> None:
    """Queue the e-mail: in the same transaction with a database queue (the task row commits or
    rolls back with the report, one commit instead of two), else once the change is committed
    (a backend that runs tasks at once must not send about a change that may still roll back)."""
    if settings.TASKS_MODE == "database":
        from quartiere.reports.tasks import notification_send_task

        notification_send_task.enqueue(notification_id)
    else:
        transaction.on_commit(lambda: _enqueue_send(notification_id))


def _enqueue_send(notification_id: int) -> None:
    from quartiere.reports.tasks import notification_send_task

    try:
        notification_send_task.enqueue(notification_id)
    except Exception:  # the outbox row stays pending; staff can retry it
        logger.exception("could not enqueue notification %s", notification_id)


def _notify_followers(
    report: Report, *, event: str, note: str = "", followers: Iterable[ReportFollower] | None = None
) -> None:
    for follower in report.followers.all() if followers is None else followers:
        _queue_notification(
            report, recipient=follower.email, language=follower.language, event=event, note=note
        )


def report_submit(**kwargs: Any) -> Report:
    """Record a report from any channel, start its service-level clock and tell the resident.

    Raises ApplicationError (with per-field messages) for an inactive or foreign category, a
    missing location, a bad answer to an extra question, a bad e-mail or a rejected file;
    nothing is written then. A tracking-code clash (rare) is retried with a new code.
    """
    for attempt in range(3):
        try:
            return _report_submit(**kwargs)
        except IntegrityError as exc:
            if "tracking_code" not in str(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _CheckedReport(NamedTuple):
    """A report's values once checked, ready to be written."""

    building: Any
    entrance: Any
    unit: Any
    latitude: Decimal | None
    longitude: Decimal | None
    answers: dict[str, Any]
    files: list[tuple[str, Any]]


def _check_description(description: str) -> None:
    if not description.strip():
        msg = _("Describe the problem.")
        raise ApplicationError(msg, fields={"description": [msg]})


def _check_email(contact_email: str) -> None:
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            msg = _("Enter a valid e-mail address.")
            raise ApplicationError(msg, fields={"contact_email": [msg]}) from None


def _report_check(
    *,
    lab: Any,
    category: Category,
    description: str,
    building: Any = None,
    entrance: Any = None,
    unit: Any = None,
    latitude: Any = None,
    longitude: Any = None,
    address_text: str = "",
    resident: Any = None,
    contact_email: str = "",
    attributes: Mapping[str, Any] | None = None,
    uploads: Sequence[tuple[str, bytes]] = (),
    questions: Sequence[CategoryAttribute] | None = None,
) -> _CheckedReport:
    """Every check ``report_submit`` makes before writing; raise ApplicationError (with
    per-field messages) at the first refusal. Writes nothing."""
    if category.lab_id != lab.pk or not category.is_active:
        msg = _("This category is not available for this lab.")
        raise ApplicationError(msg, fields={"category": [msg]})
    _check_description(description)
    if resident is not None and resident.lab_id != lab.pk:
        msg = _("The resident is not followed by this lab.")
        raise ApplicationError(msg, fields={"resident": [msg]})
    _check_email(contact_email)
    building, entrance, unit, lat, lon = _clean_location(
        lab=lab,
        building=building,
        entrance=entrance,
        unit=unit,
        latitude=latitude,
        longitude=longitude,
        address_text=address_text,
    )
    answers = clean_attributes(category, attributes or {}, questions)
    return _CheckedReport(building, entrance, unit, lat, lon, answers, _clean_uploads(uploads))


@transaction.atomic
def _report_submit(
    *,
    lab: Any,
    category: Category,
    description: str,
    channel: str,
    actor: Any = None,
    building: Any = None,
    entrance: Any = None,
    unit: Any = None,
    latitude: Any = None,
    longitude: Any = None,
    address_text: str = "",
    resident: Any = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    wants_updates: bool = True,
    language: str = "it",
    attributes: Mapping[str, Any] | None = None,
    uploads: Sequence[tuple[str, bytes]] = (),
    api_key: Open311Key | None = None,
    submitted_at: dt.datetime | None = None,
    questions: Sequence[CategoryAttribute] | None = None,
) -> Report:
    building, entrance, unit, lat, lon, answers, files = _report_check(
        lab=lab,
        category=category,
        description=description,
        building=building,
        entrance=entrance,
        unit=unit,
        latitude=latitude,
        longitude=longitude,
        address_text=address_text,
        resident=resident,
        contact_email=contact_email,
        attributes=attributes,
        uploads=uploads,
        questions=questions,
    )
    policy = _policy_of(lab)
    at = submitted_at or timezone.now()
    start = timezone.localdate(at)
    report = Report.objects.create(
        lab=lab,
        category=category,
        channel=channel,
        status=ReportStatus.SUBMITTED,
        tracking_code=_new_tracking_code(),
        description=description.strip(),
        building=building,
        entrance=entrance,
        unit=unit,
        latitude=lat,
        longitude=lon,
        address_text=address_text.strip()[:250],
        resident=resident,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_with_key=api_key,
        contact_name=contact_name.strip()[:150],
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip()[:40],
        language=language[:8] or "it",
        attributes=answers,
        submitted_at=at,
        status_changed_at=at,
        acknowledge_due_on=sla.add_business_days(
            start, category.acknowledge_days, policy.holiday_subdivision
        ),
        resolve_due_on=sla.add_business_days(
            start, category.resolve_days, policy.holiday_subdivision
        ),
        forwarded_to=None,
    )
    ReportStatusChange.objects.create(
        report=report,
        from_status="",
        to_status=ReportStatus.SUBMITTED,
        actor=report.submitted_by,
        at=at,
    )
    for name, clean in files:
        _store_attachment(report, name, clean, actor)
    email = contact_email or (resident.email if resident is not None else "")
    followers = []
    if email and wants_updates:
        followers.append(
            ReportFollower.objects.create(report=report, email=email, language=report.language)
        )
    audit.record(
        actor=actor,
        action="reports.submit",
        target=report,
        changes={"category": category.pk, "channel": channel, "building": report.building_id},
    )
    _notify_followers(report, event="submitted", followers=followers)
    return report


def _clean_uploads(uploads: Sequence[tuple[str, bytes]]) -> list[tuple[str, Any]]:
    out = []
    for name, data in uploads:
        try:
            out.append((name, clean_upload(data)))
        except UploadRejectedError as exc:
            raise ApplicationError(
                _upload_message(str(exc), name),
                fields={"attachments": [_upload_message(str(exc), name)]},
            ) from None
    return out


def _upload_message(reason: str, name: str) -> str:
    if reason == "too_big":
        return _("“%(name)s” is larger than 10 MB.") % {"name": name}
    if reason == "empty":
        return _("“%(name)s” is empty.") % {"name": name}
    return _("“%(name)s” is not a photo (JPEG, PNG) or a PDF.") % {"name": name}


def _store_attachment(report: Report, name: str, clean: Any, actor: Any) -> ReportAttachment:
    base = (name.rsplit(".", 1)[0] or "file")[:80]
    attachment = ReportAttachment(
        report=report,
        original_name=f"{base}{clean.extension}"[:200],
        content_type=clean.content_type,
        size_bytes=len(clean.content),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(
        f"{secrets.token_hex(8)}{clean.extension}", ContentFile(clean.content), save=False
    )
    attachment.save()
    return attachment


@transaction.atomic
def report_attachment_add(
    *, report: Report, actor: Any, name: str, data: bytes
) -> ReportAttachment:
    """Attach a photo (metadata stripped) or PDF; raise ApplicationError for other files."""
    [(clean_name, clean)] = _clean_uploads([(name, data)])
    attachment = _store_attachment(report, clean_name, clean, actor)
    audit.record(
        actor=actor,
        action="reports.attachment_add",
        target=report,
        changes={"attachment": attachment.pk, "type": attachment.content_type},
    )
    return attachment


# --- Workflow -------------------------------------------------------------------------------


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("category", "lab").get(pk=report.pk)


def _transition(
    report: Report,
    *,
    target: str,
    actor: Any,
    note: str = "",
    fields: Mapping[str, Any] | None = None,
    notify: bool = True,
) -> Report:
    old = report.status
    workflow.ensure_transition(old, target)
    now = timezone.now()
    report.status = target
    report.status_changed_at = now
    changed = ["status", "status_changed_at", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(report, name, value)
        changed.append(name)
    report.save(update_fields=changed)
    ReportStatusChange.objects.create(
        report=report,
        from_status=old,
        to_status=target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now,
        note=note,
    )
    audit.record(
        actor=actor,
        action=f"reports.{target}",
        target=report,
        changes={"status": [old, target], **dict(fields or {})},
    )
    if notify:
        _notify_followers(report, event=target, note=note)
    return report


@transaction.atomic
def report_acknowledge(*, report: Report, actor: Any, note: str = "") -> Report:
    """Take a report in charge (stops the acknowledgement clock); raise InvalidTransitionError."""
    report = _locked(report)
    fields: dict[str, Any] = {}
    if report.acknowledged_at is None:
        fields["acknowledged_at"] = timezone.now()
    return _transition(
        report, target=ReportStatus.ACKNOWLEDGED, actor=actor, note=note, fields=fields
    )


@transaction.atomic
def report_forward(
    *, report: Report, actor: Any, organisation: Any = None, note: str = ""
) -> Report:
    """Hand a report to the organisation that must act (default: the category's)."""
    report = _locked(report)
    organisation = organisation or report.category.responsible_organisation
    if organisation is None:
        msg = _("Choose the organisation to forward the report to.")
        raise ApplicationError(msg, fields={"organisation": [msg]})
    now = timezone.now()
    fields = {"forwarded_to": organisation, "forwarded_at": now}
    if report.acknowledged_at is None:
        fields["acknowledged_at"] = now
    return _transition(
        report,
        target=ReportStatus.FORWARDED,
        actor=actor,
        note=note or _("Forwarded to %(org)s.") % {"org": organisation.name},
        fields=fields,
    )


@transaction.atomic
def report_start(*, report: Report, actor: Any, note: str = "") -> Report:
    """Record that work has started on a report."""
    report = _locked(report)
    fields: dict[str, Any] = {}
    if report.acknowledged_at is None:
        fields["acknowledged_at"] = timezone.now()
    return _transition(
        report, target=ReportStatus.IN_PROGRESS, actor=actor, note=note, fields=fields
    )


@transaction.atomic
def report_resolve(*, report: Report, actor: Any, resolution: str) -> Report:
    """Mark a report resolved with what was done; the resolution text is required."""
    if not resolution.strip():
        msg = _("Say what was done.")
        raise ApplicationError(msg, fields={"resolution": [msg]})
    report = _locked(report)
    now = timezone.now()
    fields: dict[str, Any] = {"resolution": resolution.strip(), "resolved_at": now}
    if report.acknowledged_at is None:
        fields["acknowledged_at"] = now
    return _transition(
        report, target=ReportStatus.RESOLVED, actor=actor, note=resolution.strip(), fields=fields
    )


@transaction.atomic
def report_close(*, report: Report, actor: Any, note: str = "") -> Report:
    """Close a resolved report."""
    report = _locked(report)
    return _transition(
        report,
        target=ReportStatus.CLOSED,
        actor=actor,
        note=note,
        fields={"closed_at": timezone.now()},
    )


@transaction.atomic
def report_reject(*, report: Report, actor: Any, reason: str) -> Report:
    """Refuse a report, with the reason the resident will read; the reason is required."""
    if not reason.strip():
        msg = _("Give the reason for the rejection.")
        raise ApplicationError(msg, fields={"reason": [msg]})
    report = _locked(report)
    return _transition(
        report,
        target=ReportStatus.REJECTED,
        actor=actor,
        note=reason.strip(),
        fields={"rejection_reason": reason.strip(), "closed_at": timezone.now()},
    )


@transaction.atomic
def report_reopen(*, report: Report, actor: Any, reason: str) -> Report:
    """Reopen a resolved or closed report within the lab's window; restarts the resolve clock."""
    if not reason.strip():
        msg = _("Say why the problem is not solved.")
        raise ApplicationError(msg, fields={"reason": [msg]})
    report = _locked(report)
    policy = report_policy_for(lab_id=report.lab_id)
    workflow.ensure_reopenable(
        status=report.status,
        resolved_at=report.resolved_at,
        reopen_days=policy.reopen_days,
        now=timezone.now(),
    )
    today = timezone.localdate()
    return _transition(
        report,
        target=ReportStatus.REOPENED,
        actor=actor,
        note=reason.strip(),
        fields={
            "reopen_count": report.reopen_count + 1,
            "closed_at": None,
            "resolve_due_on": sla.add_business_days(
                today, report.category.resolve_days, policy.holiday_subdivision
            ),
        },
    )


@transaction.atomic
def report_merge(*, report: Report, actor: Any, into: Report) -> Report:
    """Merge a duplicate into another open report of the same lab.

    Its followers, comments and attachments move to the target, which gets an internal note;
    raises ApplicationError for a target that is the report itself, closed, or in another lab.
    """
    if into.pk == report.pk:
        raise ApplicationError(_("A report cannot be merged into itself."))
    first, second = sorted([report.pk, into.pk])
    locked = {
        r.pk: r
        for r in Report.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
    }
    report, into = locked[report.pk], locked[into.pk]
    if into.lab_id != report.lab_id:
        raise ApplicationError(_("Reports of different labs cannot be merged."))
    if into.status not in OPEN_STATUSES and into.status != ReportStatus.RESOLVED:
        raise ApplicationError(_("The target report is closed: choose an open one."))
    known = set(into.followers.values_list("email", flat=True))
    for follower in report.followers.all():
        if follower.email not in known:
            ReportFollower.objects.create(
                report=into, email=follower.email, language=follower.language
            )
    ReportComment.objects.filter(report=report).update(report=into)
    ReportAttachment.objects.filter(report=report).update(report=into)
    ReportComment.objects.create(
        report=into,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        visibility=CommentVisibility.INTERNAL,
        body=_("Report %(code)s was merged into this one (submitted %(date)s): %(text)s")
        % {
            "code": report.tracking_code,
            "date": timezone.localtime(report.submitted_at).strftime("%d/%m/%Y"),
            "text": report.description[:500],
        },
    )
    return _transition(
        report,
        target=ReportStatus.MERGED,
        actor=actor,
        note=_("Merged into report %(code)s, which you can follow from now on.")
        % {"code": into.tracking_code},
        fields={"merged_into": into, "closed_at": timezone.now()},
    )


@transaction.atomic
def report_assign(*, report: Report, actor: Any, assignee: Any) -> Report:
    """Give a report to a member of the lab's staff (or nobody); not a status change.

    Raises ApplicationError when the assignee is not active staff of the report's lab.
    """
    report = _locked(report)
    if assignee is not None:
        from quartiere.accounts.selectors import lab_staff_list

        if not lab_staff_list(lab_id=report.lab_id).filter(pk=assignee.pk).exists():
            msg = _("This person is not on the staff of the report's lab.")
            raise ApplicationError(msg, fields={"assignee": [msg]})
    before = report.assigned_to_id
    report.assigned_to = assignee
    report.save(update_fields=["assigned_to", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.assign",
        target=report,
        changes={"assigned_to": [before, assignee.pk if assignee else None]},
    )
    return report


@transaction.atomic
def report_comment_add(*, report: Report, actor: Any, body: str, visibility: str) -> ReportComment:
    """Add a comment; a public one is e-mailed to the followers."""
    if not body.strip():
        msg = _("Write the comment.")
        raise ApplicationError(msg, fields={"body": [msg]})
    comment = ReportComment.objects.create(
        report=report,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        visibility=visibility,
        body=body.strip(),
    )
    audit.record(
        actor=actor,
        action="reports.comment_add",
        target=report,
        changes={"comment": comment.pk, "visibility": visibility},
    )
    if visibility == CommentVisibility.PUBLIC:
        _notify_followers(report, event="comment", note=comment.body)
    return comment


def reports_bulk(
    *, reports: Iterable[Report], actor: Any, action: str, assignee: Any = None
) -> tuple[list[Report], list[tuple[Report, str]]]:
    """Acknowledge or assign many reports, each in its own transaction.

    Returns the reports changed and, for the others, the reason (e.g. an illegal status change).
    """
    done: list[Report] = []
    refused: list[tuple[Report, str]] = []
    for report in reports:
        try:
            if action == "acknowledge":
                done.append(report_acknowledge(report=report, actor=actor))
            elif action == "assign":
                done.append(report_assign(report=report, actor=actor, assignee=assignee))
            else:
                raise ApplicationError(_("Unknown action."))
        except ApplicationError as exc:
            refused.append((report, exc.message))
    return done, refused


# --- Notifications (the outbox) -------------------------------------------------------------


def notification_send(*, notification_id: int) -> Notification:
    """Send one outbox e-mail; a failure is recorded on the row and never touches the report."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status == NotificationStatus.SENT:
            return notification
        notification.attempt_count += 1
        try:
            if not notification.body:
                notification.body = _render_body(notification)
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient],
                fail_silently=False,
            )
        except Exception as exc:
            notification.status = NotificationStatus.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("notification %s failed (%s)", notification.pk, type(exc).__name__)
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(
            update_fields=["status", "attempt_count", "last_error", "sent_at", "body", "updated_at"]
        )
        return notification


@transaction.atomic
def notification_retry(*, notification: Notification, actor: Any) -> Notification:
    """Queue a failed e-mail again."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status == NotificationStatus.SENT:
        raise ApplicationError(_("This message has already been sent."))
    notification.status = NotificationStatus.PENDING
    notification.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="reports.notification_retry", target=notification)
    _schedule_send(notification.pk)
    return notification


@transaction.atomic
def notification_mark_bounced(*, recipient: str, error: str = "bounced") -> int:
    """Record a bounce reported later by the mail server on the last message to ``recipient``."""
    last = Notification.objects.filter(recipient=recipient, status=NotificationStatus.SENT).first()
    if last is None:
        return 0
    last.status = NotificationStatus.FAILED
    last.last_error = error[:300]
    last.save(update_fields=["status", "last_error", "updated_at"])
    return 1


# --- Open311 API keys -----------------------------------------------------------------------


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, name: str, actor: Any = None, lab: Any = None) -> tuple[Open311Key, str]:
    """Create an API key; return it with the clear key, which is shown once and never stored."""
    if not name.strip():
        raise ApplicationError(
            _("Give the key a name."), fields={"name": [_("Give the key a name.")]}
        )
    prefix = secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(24)}"
    key = Open311Key.objects.create(
        name=name.strip(), prefix=prefix, key_hash=_hash_key(raw), lab=lab
    )
    audit.record(actor=actor, action="reports.open311_key_create", target=key)
    return key, raw


@transaction.atomic
def open311_key_revoke(*, key: Open311Key, actor: Any) -> Open311Key:
    """Revoke an API key; reports it submitted stay."""
    key.is_active = False
    key.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="reports.open311_key_revoke", target=key)
    return key


def open311_key_authenticate(raw: str) -> Open311Key | None:
    """Return the active key matching ``raw`` (compared by hash in constant time), else None."""
    prefix, _sep, _rest = (raw or "").partition(".")
    if not prefix or not _rest:
        return None
    return open311_key_verify(
        key=Open311Key.objects.filter(prefix=prefix, is_active=True).first(), raw=raw
    )


def open311_key_verify(*, key: Open311Key | None, raw: str) -> Open311Key | None:
    """Return ``key`` (the active key read for ``raw``'s prefix) when ``raw`` matches its hash
    in constant time, else None; note its use at most every five minutes."""
    prefix, _sep, rest = (raw or "").partition(".")
    if key is None or not rest or key.prefix != prefix:
        return None
    if not secrets.compare_digest(key.key_hash, _hash_key(raw)):
        return None
    _note_key_use(key.pk, key.last_used_at)
    return key


def _note_key_use(key_id: int, last_used_at: dt.datetime | None) -> None:
    """Note when a key was last used, at most every five minutes (one write, not one a POST)."""
    now = timezone.now()
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=5):
        Open311Key.objects.filter(pk=key_id).update(last_used_at=now)


# --- Open311 requests accepted now, made into reports by the worker -------------------------

OPEN311_INTAKE_BATCH = 100


def open311_intake_accept(
    *,
    key: Open311Key,
    category: Category,
    description: str,
    building: Any = None,
    latitude: Any = None,
    longitude: Any = None,
    address_text: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    language: str = "it",
    attributes: Mapping[str, Any] | None = None,
    questions: Sequence[CategoryAttribute] | None = None,
) -> Open311Intake:
    """Check an Open311 request as ``report_submit`` would and store it as one row; the report
    is made by ``open311_intakes_process``: at once when tasks run at once (the demo, tests),
    by the worker's periodic job with the database queue (production).

    Raises ApplicationError for everything ``report_submit`` refuses; nothing is written then.
    """
    checked = _report_check(
        lab=category.lab,
        category=category,
        description=description,
        building=building,
        latitude=latitude,
        longitude=longitude,
        address_text=address_text,
        contact_email=contact_email,
        attributes=attributes,
        questions=questions,
    )
    token = secrets.token_urlsafe(18)
    # The one write of the request: a queue row (no receiver watches it), in one statement.
    compiled.insert(
        Open311Intake,
        token=token,
        key_id=key.pk,
        category_id=category.pk,
        received_at=timezone.now(),
        error="",
        payload=_intake_payload(
            description=description,
            building_id=building.pk if building is not None else None,
            latitude=checked.latitude,
            longitude=checked.longitude,
            address_text=address_text,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            language=language,
            attributes=attributes,
        ),
    )
    if settings.TASKS_MODE != "database":
        open311_intakes_process(tokens=[token])
        return Open311Intake.objects.select_related("report").get(token=token)
    return Open311Intake(token=token, key=key, category=category)


def _intake_payload(
    *,
    description: str,
    building_id: int | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    address_text: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    language: str,
    attributes: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What the worker needs to make the report: ``report_submit``'s arguments, as JSON."""
    return {
        "description": description,
        "building_id": building_id,
        "latitude": None if latitude is None else str(latitude),
        "longitude": None if longitude is None else str(longitude),
        "address_text": address_text,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
        "language": language,
        "attributes": dict(attributes or {}),
    }


class Open311Stored(NamedTuple):
    """An Open311 request stored for the worker by ``open311_intake_store``."""

    token: str
    acknowledge_days: int
    resolve_days: int


@functools.cache
def _store_sql() -> str:
    """The statement of ``open311_intake_store`` (table names from the models)."""
    from quartiere.accounts.models import Lab
    from quartiere.territory.models import Building

    q = connection.ops.quote_name
    category, lab, key, question, building, intake = (
        q(m._meta.db_table)
        for m in (Category, Lab, Open311Key, CategoryAttribute, Building, Open311Intake)
    )
    return f"""
WITH facts AS (
    SELECT c.id, c.lab_id, c.acknowledge_days, c.resolve_days, l.district_id,
           k.id AS key_id, k.key_hash, k.lab_id AS key_lab_id, k.last_used_at,
           (SELECT COUNT(*) FROM {question} a WHERE a.category_id = c.id) AS questions,
           (SELECT b.district_id FROM {building} b
             WHERE b.id = %(building)s::bigint) AS building_district_id
      FROM {category} c
      JOIN {lab} l ON l.id = c.lab_id
      JOIN {key} k ON k.prefix = %(prefix)s AND k.is_active
     WHERE c.code = %(code)s AND c.is_active
     ORDER BY c.id
     LIMIT 1
), stored AS (
    INSERT INTO {intake} (token, key_id, category_id, payload, received_at, error)
    SELECT %(token)s, f.key_id, f.id, %(payload)s, %(at)s, ''
      FROM facts f
     WHERE f.key_hash = %(hash)s
       AND (f.key_lab_id IS NULL OR f.key_lab_id = f.lab_id)
       AND f.questions = 0
       AND (%(building)s::bigint IS NULL OR f.building_district_id = f.district_id)
    RETURNING 1
)
SELECT f.acknowledge_days, f.resolve_days, f.key_id, f.last_used_at,
       (SELECT COUNT(*) FROM stored)
  FROM facts f
"""  # noqa: S608 - table names from the models, every value a bound parameter


def open311_intake_store(
    *,
    raw_key: str,
    service_code: str,
    building_id: int | None = None,
    description: str,
    latitude: Any = None,
    longitude: Any = None,
    address_text: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    language: str = "it",
    attributes: Mapping[str, Any] | None = None,
) -> Open311Stored | None:
    """The usual Open311 POST in one statement: read the category, the key and the building,
    and store the request for the worker only if all of them let it through. PostgreSQL with
    the database queue only (a writable CTE); None means "not stored here": another database,
    tasks run at once, or anything to refuse or to check further (a bad key, an unknown code,
    a building elsewhere, extra questions, a text or point ``report_submit`` refuses). The
    caller then takes the general path (``open311_intake_get`` and ``open311_intake_accept``),
    which explains the refusal or checks the answers. The key is compared by its SHA-256 in
    the statement: equal hashes of a random key, never the key itself.
    """
    if settings.TASKS_MODE != "database" or connection.vendor != "postgresql":
        return None
    prefix, _sep, rest = (raw_key or "").partition(".")
    if not (prefix and rest and service_code):
        return None
    try:
        _check_description(description)
        _check_email(contact_email)
        lat, lon = _clean_point(latitude, longitude)
    except ApplicationError:
        return None
    if building_id is None and lat is None and not address_text.strip():
        return None
    token = secrets.token_urlsafe(18)
    payload = _intake_payload(
        description=description,
        building_id=building_id,
        latitude=lat,
        longitude=lon,
        address_text=address_text,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        language=language,
        attributes=attributes,
    )
    params = {
        "building": building_id,
        "prefix": prefix,
        "code": service_code,
        "token": token,
        "payload": Open311Intake._meta.get_field("payload").get_db_prep_save(payload, connection),
        "at": timezone.now(),
        "hash": _hash_key(raw_key),
    }
    with connection.cursor() as cursor:
        cursor.execute(_store_sql(), params)
        row = cursor.fetchone()
    if row is None or not row[4]:
        return None
    acknowledge_days, resolve_days, key_id, last_used_at, _stored = row
    _note_key_use(key_id, last_used_at)
    return Open311Stored(token, acknowledge_days, resolve_days)


def open311_intakes_process(*, tokens: Sequence[str] | None = None, limit: int = 10_000) -> int:
    """Make reports of the accepted Open311 requests, oldest first; return how many rows were
    handled (the worker's periodic job, ``reports.open311_intake``).

    Each batch is one transaction that holds its rows (``SKIP LOCKED``: two workers share the
    work and never take the same row); each row becomes exactly one report, with the time it
    was received as its submission time, or records why it could not (the category closed
    meanwhile, say). Once the report exists the row's copy of the contact details is wiped.
    """
    from quartiere.territory.models import Building

    done = 0
    while done < limit:
        with transaction.atomic():
            pending = Open311Intake.objects.filter(processed_at__isnull=True)
            if tokens is not None:
                pending = pending.filter(token__in=tokens)
            batch = list(
                pending.select_related("key", "category__lab__report_policy")
                .prefetch_related("category__attributes")
                .order_by("received_at", "id")
                .select_for_update(skip_locked=True, of=("self",))[
                    : min(OPEN311_INTAKE_BATCH, limit - done)
                ]
            )
            if not batch:
                break
            wanted = {i.payload.get("building_id") for i in batch} - {None}
            buildings = Building.objects.in_bulk(wanted) if wanted else {}
            for intake in batch:
                _open311_intake_process(intake, buildings)
        done += len(batch)
    return done


def _open311_intake_process(intake: Open311Intake, buildings: Mapping[int, Any]) -> None:
    data, category = intake.payload, intake.category
    email = data.get("contact_email") or ""
    try:
        # In the request's language: the refusal is shown to the client that sent it.
        with transaction.atomic(), translation.override(data.get("language") or "it"):
            report = report_submit(
                lab=category.lab,
                category=category,
                description=data.get("description") or "",
                channel=ReportChannel.API,
                api_key=intake.key,
                building=buildings.get(data.get("building_id")),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                address_text=data.get("address_text") or "",
                contact_name=data.get("contact_name") or "",
                contact_email=email,
                contact_phone=data.get("contact_phone") or "",
                wants_updates=bool(email),
                language=data.get("language") or "it",
                attributes=data.get("attributes") or {},
                submitted_at=intake.received_at,
                questions=list(category.attributes.all()),
            )
    except ApplicationError as exc:
        details = [m for messages in (exc.fields or {}).values() for m in messages]
        intake.error = "; ".join(details or [exc.message])
        logger.warning("Open311 request %s refused by the worker: %s", intake.pk, intake.error)
    else:
        intake.report = report
        intake.payload = {}
    intake.processed_at = timezone.now()
    intake.save(update_fields=["report", "payload", "processed_at", "error"])


CHANNELS_STAFF = (
    ReportChannel.DESK,
    ReportChannel.PHONE,
    ReportChannel.EMAIL,
    ReportChannel.OUTREACH,
)


def reports_close_expired(
    *, actor: Any = None, now: dt.datetime | None = None, dry_run: bool = False
) -> int:
    """Close resolved reports whose reopen window has passed; return how many (or would be)."""
    now = now or timezone.now()
    count = 0
    for policy_lab_id, reopen_days in _reopen_windows():
        qs = Report.objects.filter(
            lab_id=policy_lab_id,
            status=ReportStatus.RESOLVED,
            resolved_at__lt=now - dt.timedelta(days=reopen_days),
        ).order_by("pk")
        if dry_run:
            count += qs.count()
            continue
        for report in qs.iterator():
            with transaction.atomic():
                report_close_locked = _locked(report)
                if report_close_locked.status != ReportStatus.RESOLVED:
                    continue
                _transition(
                    report_close_locked,
                    target=ReportStatus.CLOSED,
                    actor=actor,
                    note=_("Closed automatically: no one asked to reopen it in time."),
                    fields={"closed_at": now},
                    notify=False,
                )
                count += 1
    return count


def _reopen_windows() -> list[tuple[int, int]]:
    from quartiere.accounts.models import Lab

    policies = dict(ReportPolicy.objects.values_list("lab_id", "reopen_days"))
    default = ReportPolicy._meta.get_field("reopen_days").default
    return [
        (lab_id, policies.get(lab_id, default))
        for lab_id in Lab.objects.values_list("id", flat=True)
    ]


# --- Exports --------------------------------------------------------------------------------


def reports_export_record(
    *,
    actor: Any,
    lab_id: int | None,
    fmt: str,
    queue: str,
    filters: Mapping[str, Any],
    rows: int,
    with_resident: bool,
) -> None:
    """Record that a list of reports left the system (queue, format, filters, size; no PII)."""
    audit.record(
        actor=actor,
        action="reports.export",
        target_type="reports.report",
        label=f"{queue} {fmt} export",
        lab_id=lab_id,
        changes={
            "format": fmt,
            "queue": queue,
            "filters": dict(filters),
            "rows": rows,
            "with_resident": with_resident,
        },
    )


# --- Bulk writes (demo seeding, migrations from old systems) --------------------------------

BulkRows = tuple[Sequence[str], Iterable[Sequence[Any]]]


def _bulk_insert(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows given as values in ``columns`` (attnames) order: COPY on PostgreSQL."""
    from django.db import connection

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: text COPY spends most of its time formatting timestamps.
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([_pg_copy_type(f, connection) for f in fields])
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model names only
        prepare = [(i, p) for i, f in enumerate(fields) if (p := _bulk_prepare(f, connection))]
        batch: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i, p in prepare:
                if values[i] is not None:
                    values[i] = p(values[i])
            batch.append(values)
            if len(batch) == 2000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


PG_COPY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "timestamp with time zone": "timestamptz",
    "varchar": "text",
}


def _pg_copy_type(field: Any, connection: Any) -> str:
    """The PostgreSQL type name a binary COPY of ``field``'s column needs."""
    base = str(field.db_type(connection)).split("(", 1)[0].strip()
    return PG_COPY_TYPES.get(base, base)


def _bulk_prepare(field: Any, connection: Any) -> Any:
    """How to turn a value into what the database driver takes (None: as it is)."""
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "EmailField", "SlugField", "BooleanField"):
        return None
    if kind.endswith("IntegerField") or kind in ("AutoField", "BigAutoField", "ForeignKey"):
        return None
    if connection.vendor == "sqlite" and kind == "DateTimeField" and settings.USE_TZ:
        # What SQLite's adapt_datetimefield_value does, without its per-value lookups.
        return lambda v: str(v.astimezone(dt.UTC).replace(tzinfo=None))
    if connection.vendor == "sqlite" and kind == "DateField":
        return str
    return lambda v: field.get_db_prep_save(v, connection)


@transaction.atomic
def reports_bulk_create(
    *,
    actor: Any,
    lab_id: int,
    reports: BulkRows,
    status_changes: BulkRows,
    comments: BulkRows,
    followers: BulkRows,
    notifications: BulkRows,
) -> dict[str, int]:
    """Write many finished reports with their histories at once (seeding, migrations).

    Rows carry their own ids and every field (no clock, no e-mail is queued); the id sequences
    are moved past them afterwards. One audit event per call.
    """
    from django.core.management.color import no_style
    from django.db import connection

    tables = (
        ("reports", Report, reports),
        ("status_changes", ReportStatusChange, status_changes),
        ("comments", ReportComment, comments),
        ("followers", ReportFollower, followers),
        ("notifications", Notification, notifications),
    )
    counts = {name: _bulk_insert(model, *rows) for name, model, rows in tables}
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [m for _n, m, _r in tables]):
            cursor.execute(sql)
    audit.record(
        actor=actor,
        action="reports.bulk_create",
        target_type="reports.report",
        label=f"{counts['reports']} reports",
        lab_id=lab_id,
        changes=counts,
    )
    return counts


def reports_bulk_load() -> Any:
    """Make a large ``reports_bulk_create`` load faster (e.g. the region-scale demo).

    On PostgreSQL, inside one transaction, the report tables' secondary indexes and foreign keys
    are dropped and, at the end, built again from their saved definitions (foreign keys
    validated), as pg_restore does; elsewhere nothing changes. Use as a context manager.
    """
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def load() -> Any:
        with transaction.atomic():
            if connection.vendor != "postgresql":
                yield
                return
            tables = [
                m._meta.db_table
                for m in (Report, ReportStatusChange, ReportComment, ReportFollower, Notification)
            ]
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                    "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                    [tables],
                )
                foreign_keys = cursor.fetchall()
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes i "
                    "WHERE schemaname = current_schema() AND tablename = ANY(%s) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
                    [tables],
                )
                indexes = cursor.fetchall()
                # Tables with deferred checks still pending cannot be altered: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for table, name, _definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for name, _definition in indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
            yield
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    cursor.execute(definition)
                for table, name, definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    return load()
