"""Every write of the programme context: actions, milestones, funding, news, documents, imports.

Each service validates, writes in a transaction, marks the action "last updated" and records an
audit event whose target is the action (so the action's history is one query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from quartiere.accounts.models import Organisation
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.importing import ImportReport, require_columns
from quartiere.programme import uploads
from quartiere.programme.enums import ActionStatus, NewsStatus
from quartiere.programme.models import (
    ZERO,
    Action,
    ActionLine,
    ActionPhoto,
    Allocation,
    AllocationPayment,
    Document,
    FundingSource,
    Milestone,
    NewsItem,
    Programme,
    cup_validator,
)
from quartiere.programme.sanitise import clean_html, plain_text

ACTION_FIELDS = (
    "line",
    "parent",
    "key",
    "code",
    "title_it",
    "title_en",
    "description_it",
    "description_en",
    "place_label",
    "latitude",
    "longitude",
    "responsible_organisation",
    "cup",
    "budget_amount",
    "status",
    "planned_start_on",
    "planned_end_on",
    "actual_start_on",
    "actual_end_on",
    "order",
    "is_published",
)
MILESTONE_FIELDS = (
    "title_it",
    "title_en",
    "planned_on",
    "achieved_on",
    "weight",
    "evidence_url",
    "evidence_text",
)
ALLOCATION_FIELDS = ("source", "amount", "committed_amount", "committed_on", "note")
NEWS_FIELDS = (
    "programme",
    "action",
    "slug",
    "title_it",
    "title_en",
    "summary_it",
    "summary_en",
    "body_it",
    "body_en",
    "status",
    "published_at",
    "image_alt",
)
PROGRAMME_FIELDS = (
    "name",
    "slug",
    "lab",
    "district",
    "municipality",
    "description_it",
    "description_en",
    "total_budget_amount",
    "starts_on",
    "ends_on",
    "is_published",
)


def _full_clean(obj: Any, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        message = " ".join(" ".join(v) for v in fields.values())
        raise ApplicationError(message, fields=fields) from exc


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _actor_user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _touch(action: Action, actor: Any) -> None:
    """Mark the action as just updated by ``actor`` (shown on its page as "last updated")."""
    now = timezone.now()
    user = _actor_user(actor)
    Action.objects.filter(pk=action.pk).update(last_updated_at=now, last_updated_by=user)
    action.last_updated_at = now
    action.last_updated_by = user


def _record_on_action(
    *, actor: Any, action: Action, verb: str, changes: dict[str, Any] | None = None
) -> None:
    audit.record(
        actor=actor,
        action=f"programme.{verb}",
        target=action,
        lab_id=action.programme.lab_id,
        changes=changes or {},
    )
    _touch(action, actor)


# --- Programmes and lines ------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: Any, lab: Any, name: str, slug: str, **fields: Any) -> Programme:
    """Create a programme led by ``lab``."""
    programme = Programme(lab=lab, name=name, slug=slug, **fields)
    if not programme.municipality and programme.district_id is None:
        programme.municipality = getattr(getattr(lab, "district", None), "municipality", "")
    _full_clean(programme)
    programme.save()
    audit.record(
        actor=actor,
        action="programme.programme_create",
        target=programme,
        changes=audit.snapshot(programme, PROGRAMME_FIELDS),
    )
    return programme


@transaction.atomic
def programme_update(*, actor: Any, programme: Programme, **fields: Any) -> Programme:
    """Change a programme's description, budget or dates."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = audit.snapshot(programme, PROGRAMME_FIELDS)
    for name, value in fields.items():
        setattr(programme, name, value)
    _full_clean(programme)
    programme.save()
    changes = audit.diff(before, audit.snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        audit.record(
            actor=actor, action="programme.programme_update", target=programme, changes=changes
        )
    return programme


@transaction.atomic
def action_line_create(
    *, actor: Any, programme: Programme, code: str, name_it: str, name_en: str = "", order: int = 1
) -> ActionLine:
    """Add an action line to a programme."""
    line = ActionLine(programme=programme, code=code, name_it=name_it, name_en=name_en, order=order)
    _full_clean(line)
    line.save()
    audit.record(
        actor=actor,
        action="programme.action_line_create",
        target=line,
        lab_id=programme.lab_id,
        changes={"code": code, "name_it": name_it},
    )
    return line


# --- Actions -------------------------------------------------------------------------------


def _allocated_total(action: Action, *, exclude_pk: int | None = None) -> Decimal:
    qs = Allocation.objects.filter(action=action)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def _earliest_start(action: Action) -> dt.date | None:
    dates = [d for d in (action.planned_start_on, action.actual_start_on) if d]
    return min(dates) if dates else None


def _check_action(action: Action) -> None:
    if action.line.programme_id != action.programme_id:
        raise _error("line", _("The action line belongs to another programme."))
    if action.parent_id is not None:
        parent: Action = action.parent  # type: ignore[assignment]
        if parent.programme_id != action.programme_id:
            raise _error("parent", _("The parent action belongs to another programme."))
        if parent.line_id != action.line_id:
            raise _error("parent", _("A sub-action must be in the same action line as its parent."))
        if action.pk is not None:
            ancestor: Action | None = parent
            seen = 0
            while ancestor is not None and seen < 50:
                if ancestor.pk == action.pk:
                    raise _error("parent", _("An action cannot be part of itself."))
                ancestor = ancestor.parent
                seen += 1
    if action.cup:
        action.cup = action.cup.strip().upper()
    if not action.key:
        action.key = slugify(action.title_it)[:80] or "action"
    _full_clean(action, exclude=["programme", "line", "parent", "last_updated_by"])
    if (
        Action.objects.filter(programme_id=action.programme_id, key=action.key)
        .exclude(pk=action.pk)
        .exists()
    ):
        raise _error("key", _("Another action of the programme already uses this key."))
    if action.pk is not None:
        allocated = _allocated_total(action)
        if allocated > action.budget_amount:
            raise _error(
                "budget_amount",
                _(
                    "The budget (EUR %(budget)s) is lower than the EUR %(allocated)s already "
                    "allocated to this action."
                )
                % {"budget": action.budget_amount, "allocated": allocated},
            )
        start = _earliest_start(action)
        if start is not None:
            early = Milestone.objects.filter(action=action, planned_on__lt=start).first()
            if early is not None:
                raise _error(
                    "planned_start_on",
                    _("The milestone “%(title)s” (%(date)s) would come before the start.")
                    % {"title": early.title, "date": early.planned_on.isoformat()},
                )


@transaction.atomic
def action_create(
    *, actor: Any, programme: Programme, line: ActionLine, title_it: str, **fields: Any
) -> Action:
    """Add an action (or a sub-action when ``parent`` is given) to a programme."""
    action = Action(programme=programme, line=line, title_it=title_it, **fields)
    _check_action(action)
    action.last_updated_at = timezone.now()
    action.last_updated_by = _actor_user(actor)
    action.save()
    audit.record(
        actor=actor,
        action="programme.action_create",
        target=action,
        lab_id=programme.lab_id,
        changes=audit.snapshot(action, ACTION_FIELDS),
    )
    return action


@transaction.atomic
def action_update(*, actor: Any, action: Action, **fields: Any) -> Action:
    """Change an action; the budget may not drop below what is allocated."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    before = audit.snapshot(action, ACTION_FIELDS)
    for name, value in fields.items():
        setattr(action, name, value)
    _check_action(action)
    action.save()
    changes = audit.diff(before, audit.snapshot(action, ACTION_FIELDS))
    if changes:
        _record_on_action(actor=actor, action=action, verb="action_update", changes=changes)
    return action


@transaction.atomic
def action_set_buildings(*, actor: Any, action: Action, buildings: list[Any]) -> Action:
    """Set the buildings an action takes place in (same district as the programme, if set)."""
    district_id = action.programme.district_id
    if district_id is not None:
        stray = [b for b in buildings if b.district_id != district_id]
        if stray:
            raise _error("buildings", _("Some buildings are outside the programme's district."))
    before = sorted(action.buildings.values_list("pk", flat=True))
    action.buildings.set(buildings)
    after = sorted(b.pk for b in buildings)
    if before != after:
        _record_on_action(
            actor=actor,
            action=action,
            verb="action_buildings",
            changes={"buildings": [before, after]},
        )
    return action


@transaction.atomic
def action_delete(*, actor: Any, action: Action) -> None:
    """Delete an action without sub-actions or payments (its milestones and allocations go too)."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    if action.children.exists():
        raise ApplicationError(_("Delete or move its sub-actions first."))
    if AllocationPayment.objects.filter(allocation__action=action).exists():
        raise ApplicationError(_("This action has payments recorded: it cannot be deleted."))
    audit.record(
        actor=actor,
        action="programme.action_delete",
        target=action,
        lab_id=action.programme.lab_id,
        changes=audit.snapshot(action, ACTION_FIELDS),
    )
    action.delete()


@transaction.atomic
def action_photo_add(
    *,
    actor: Any,
    action: Action,
    data: bytes,
    alt_it: str,
    alt_en: str = "",
    caption_it: str = "",
    caption_en: str = "",
    taken_on: dt.date | None = None,
) -> ActionPhoto:
    """Attach a photo (JPEG/PNG, metadata removed) to an action."""
    try:
        clean = uploads.clean_image(data)
    except uploads.UploadRejectedError as exc:
        raise _error("image", _upload_message(exc.reason, image=True)) from exc
    if not alt_it.strip():
        raise _error("alt_it", _("Describe the photo for people who cannot see it."))
    order = action.photos.count() + 1
    photo = ActionPhoto(
        action=action,
        alt_it=alt_it.strip(),
        alt_en=alt_en.strip(),
        caption_it=caption_it,
        caption_en=caption_en,
        taken_on=taken_on,
        order=order,
    )
    photo.image.save(
        f"action-{action.pk}-{order}{clean.extension}", ContentFile(clean.content), save=False
    )
    photo.save()
    _record_on_action(actor=actor, action=action, verb="photo_add", changes={"photo": photo.pk})
    return photo


@transaction.atomic
def action_photo_delete(*, actor: Any, photo: ActionPhoto) -> None:
    action = photo.action
    pk = photo.pk
    photo.image.delete(save=False)
    photo.delete()
    _record_on_action(actor=actor, action=action, verb="photo_delete", changes={"photo": pk})


def _upload_message(reason: str, *, image: bool = False) -> str:
    if reason == "empty":
        return _("The file is empty.")
    if reason == "too_big":
        return _("The file is too big.")
    return _("The file is not a JPEG or PNG image.") if image else _("The file is not a PDF.")


# --- Milestones ----------------------------------------------------------------------------


def _check_milestone(milestone: Milestone, action: Action) -> None:
    _full_clean(milestone, exclude=["action", "evidence_file"])
    start = _earliest_start(action)
    if start is not None and milestone.planned_on < start:
        raise _error(
            "planned_on",
            _("The milestone is dated %(date)s, before the action starts (%(start)s).")
            % {"date": milestone.planned_on.isoformat(), "start": start.isoformat()},
        )
    if start is not None and milestone.achieved_on is not None and milestone.achieved_on < start:
        raise _error(
            "achieved_on",
            _("The milestone cannot be achieved before the action starts (%(start)s).")
            % {"start": start.isoformat()},
        )
    if milestone.achieved_on is not None and milestone.achieved_on > timezone.localdate():
        raise _error("achieved_on", _("The date it was achieved is in the future."))


@transaction.atomic
def milestone_create(
    *, actor: Any, action: Action, title_it: str, planned_on: dt.date, **fields: Any
) -> Milestone:
    """Add a milestone; it may not be dated before the action starts."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    evidence = fields.pop("evidence_file", None)
    milestone = Milestone(action=action, title_it=title_it, planned_on=planned_on, **fields)
    _check_milestone(milestone, action)
    if evidence:
        milestone.evidence_file = evidence
    milestone.save()
    _record_on_action(
        actor=actor,
        action=action,
        verb="milestone_create",
        changes={"milestone": milestone.pk, **audit.snapshot(milestone, MILESTONE_FIELDS)},
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor: Any, milestone: Milestone, **fields: Any) -> Milestone:
    """Change a milestone (e.g. mark it achieved with its evidence)."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    action = Action.objects.select_related("programme").get(pk=milestone.action_id)
    before = audit.snapshot(milestone, MILESTONE_FIELDS)
    evidence = fields.pop("evidence_file", None)
    for name, value in fields.items():
        setattr(milestone, name, value)
    _check_milestone(milestone, action)
    if evidence:
        milestone.evidence_file = evidence
    milestone.save()
    changes = audit.diff(before, audit.snapshot(milestone, MILESTONE_FIELDS))
    if changes or evidence:
        _record_on_action(
            actor=actor,
            action=action,
            verb="milestone_update",
            changes={"milestone": milestone.pk, **changes},
        )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: Any, milestone: Milestone) -> None:
    action = Action.objects.select_related("programme").get(pk=milestone.action_id)
    snap = {"milestone": milestone.pk, **audit.snapshot(milestone, MILESTONE_FIELDS)}
    milestone.delete()
    _record_on_action(actor=actor, action=action, verb="milestone_delete", changes=snap)


# --- Funding -------------------------------------------------------------------------------


@transaction.atomic
def funding_source_create(
    *, actor: Any, code: str, name_it: str, kind: str, name_en: str = "", order: int = 10
) -> FundingSource:
    """Add a funding source (configurable list)."""
    source = FundingSource(
        code=code.strip(), name_it=name_it, name_en=name_en, kind=kind, order=order
    )
    _full_clean(source)
    source.save()
    audit.record(
        actor=actor,
        action="programme.funding_source_create",
        target=source,
        changes={"code": source.code, "kind": kind},
    )
    return source


@transaction.atomic
def funding_source_update(*, actor: Any, source: FundingSource, **fields: Any) -> FundingSource:
    """Rename, reorder or (de)activate a funding source; its code stays as imports know it."""
    source = FundingSource.objects.select_for_update().get(pk=source.pk)
    names = ("code", "name_it", "name_en", "kind", "order", "is_active")
    before = audit.snapshot(source, names)
    for name, value in fields.items():
        setattr(source, name, value)
    _full_clean(source)
    source.save()
    changes = audit.diff(before, audit.snapshot(source, names))
    if changes:
        audit.record(
            actor=actor, action="programme.funding_source_update", target=source, changes=changes
        )
    return source


def _over_budget(action: Action, total: Decimal) -> ApplicationError:
    message = _(
        "The allocations would total EUR %(total)s, more than the action's budget of "
        "EUR %(budget)s."
    ) % {"total": total, "budget": action.budget_amount}
    return _error("amount", message)


def _paid_total(allocation: Allocation, *, exclude_pk: int | None = None) -> Decimal:
    qs = AllocationPayment.objects.filter(allocation=allocation)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def _check_allocation(allocation: Allocation, action: Action) -> None:
    _full_clean(allocation, exclude=["action"])
    if allocation.committed_amount > allocation.amount:
        raise _error(
            "committed_amount", _("The committed amount cannot exceed the allocated amount.")
        )
    total = _allocated_total(action, exclude_pk=allocation.pk) + allocation.amount
    if total > action.budget_amount:
        raise _over_budget(action, total)
    if allocation.pk is not None:
        paid = _paid_total(allocation)
        if paid > allocation.committed_amount:
            raise _error(
                "committed_amount",
                _("EUR %(paid)s has already been paid: the committed amount cannot be lower.")
                % {"paid": paid},
            )


@transaction.atomic
def allocation_create(
    *, actor: Any, action: Action, source: FundingSource, amount: Decimal, **fields: Any
) -> Allocation:
    """Allocate money from a source to an action, within the action's budget."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    if Allocation.objects.filter(action=action, source=source).exists():
        raise _error("source", _("This source already funds the action: change that allocation."))
    allocation = Allocation(action=action, source=source, amount=amount, **fields)
    _check_allocation(allocation, action)
    allocation.save()
    _record_on_action(
        actor=actor,
        action=action,
        verb="allocation_create",
        changes={"allocation": allocation.pk, **audit.snapshot(allocation, ALLOCATION_FIELDS)},
    )
    return allocation


@transaction.atomic
def allocation_update(*, actor: Any, allocation: Allocation, **fields: Any) -> Allocation:
    """Change an allocation's amounts; still within the budget and above what is paid."""
    action = (
        Action.objects.select_for_update().select_related("programme").get(pk=allocation.action_id)
    )
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    before = audit.snapshot(allocation, ALLOCATION_FIELDS)
    for name, value in fields.items():
        setattr(allocation, name, value)
    _check_allocation(allocation, action)
    allocation.save()
    changes = audit.diff(before, audit.snapshot(allocation, ALLOCATION_FIELDS))
    if changes:
        _record_on_action(
            actor=actor,
            action=action,
            verb="allocation_update",
            changes={"allocation": allocation.pk, **changes},
        )
    return allocation


@transaction.atomic
def allocation_delete(*, actor: Any, allocation: Allocation) -> None:
    """Remove an allocation that has no payments."""
    action = Action.objects.select_related("programme").get(pk=allocation.action_id)
    if allocation.payments.exists():
        raise ApplicationError(_("This allocation has payments: it cannot be deleted."))
    snap = {"allocation": allocation.pk, **audit.snapshot(allocation, ALLOCATION_FIELDS)}
    allocation.delete()
    _record_on_action(actor=actor, action=action, verb="allocation_delete", changes=snap)


@transaction.atomic
def payment_create(
    *, actor: Any, allocation: Allocation, paid_on: dt.date, amount: Decimal, reference: str = ""
) -> AllocationPayment:
    """Record a payment; payments may not exceed the committed amount."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    action = Action.objects.select_related("programme").get(pk=allocation.action_id)
    payment = AllocationPayment(
        allocation=allocation, paid_on=paid_on, amount=amount, reference=reference
    )
    _full_clean(payment, exclude=["allocation"])
    if paid_on > timezone.localdate():
        raise _error("paid_on", _("The payment date is in the future."))
    total = _paid_total(allocation) + amount
    if total > allocation.committed_amount:
        raise _error(
            "amount",
            _(
                "Payments would total EUR %(total)s, more than the EUR %(committed)s committed "
                "from %(source)s."
            )
            % {
                "total": total,
                "committed": allocation.committed_amount,
                "source": allocation.source.code,
            },
        )
    payment.save()
    _record_on_action(
        actor=actor,
        action=action,
        verb="payment_create",
        changes={
            "allocation": allocation.pk,
            "payment": payment.pk,
            "paid_on": paid_on,
            "amount": amount,
            "reference": reference,
        },
    )
    return payment


@transaction.atomic
def payment_delete(*, actor: Any, payment: AllocationPayment) -> None:
    allocation = payment.allocation
    action = Action.objects.select_related("programme").get(pk=allocation.action_id)
    snap = {
        "allocation": allocation.pk,
        "payment": payment.pk,
        "paid_on": payment.paid_on,
        "amount": payment.amount,
    }
    payment.delete()
    _record_on_action(actor=actor, action=action, verb="payment_delete", changes=snap)


# --- News ----------------------------------------------------------------------------------


def _prepare_news(item: NewsItem) -> None:
    item.body_it = clean_html(item.body_it)
    item.body_en = clean_html(item.body_en)
    item.title_it = plain_text(item.title_it)
    item.title_en = plain_text(item.title_en)
    item.summary_it = plain_text(item.summary_it)
    item.summary_en = plain_text(item.summary_en)
    if not item.body_it:
        raise _error("body_it", _("Write the text of the news item."))
    if not item.slug:
        base = slugify(item.title_it)[:100] or "news"
        slug, n = base, 2
        while NewsItem.objects.filter(lab_id=item.lab_id, slug=slug).exclude(pk=item.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        item.slug = slug
    if item.programme_id is not None and item.programme is not None:
        programme = item.programme
        if (
            programme.lab_id != item.lab_id
            and not programme.other_labs.filter(pk=item.lab_id).exists()
        ):
            raise _error("programme", _("This programme is not one of the lab's."))
    if item.action_id is not None and item.action is not None:
        if item.programme_id is None:
            item.programme = item.action.programme
        elif item.action.programme_id != item.programme_id:
            raise _error("action", _("The action belongs to another programme."))
    _full_clean(item, exclude=["lab", "programme", "action", "created_by", "image"])


@transaction.atomic
def news_create(*, actor: Any, lab: Any, title_it: str, body_it: str, **fields: Any) -> NewsItem:
    """Write a news item (a draft unless ``status`` is published); the HTML is sanitised."""
    image = fields.pop("image_data", None)
    item = NewsItem(
        lab=lab, title_it=title_it, body_it=body_it, created_by=_actor_user(actor), **fields
    )
    if item.status == NewsStatus.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    _prepare_news(item)
    if image:
        _news_image(item, image)
    item.save()
    audit.record(
        actor=actor,
        action="programme.news_create",
        target=item,
        changes=audit.snapshot(item, ("slug", "title_it", "status", "programme", "action")),
    )
    return item


def _news_image(item: NewsItem, data: bytes) -> None:
    try:
        clean = uploads.clean_image(data)
    except uploads.UploadRejectedError as exc:
        raise _error("image", _upload_message(exc.reason, image=True)) from exc
    if not item.image_alt.strip():
        raise _error("image_alt", _("Describe the image for people who cannot see it."))
    item.image.save(f"news-{item.slug}{clean.extension}", ContentFile(clean.content), save=False)


@transaction.atomic
def news_update(*, actor: Any, item: NewsItem, **fields: Any) -> NewsItem:
    """Change a news item; the HTML is sanitised again."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    image = fields.pop("image_data", None)
    before = audit.snapshot(item, NEWS_FIELDS)
    for name, value in fields.items():
        setattr(item, name, value)
    if item.status == NewsStatus.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    _prepare_news(item)
    if image:
        _news_image(item, image)
    item.save()
    changes = audit.diff(before, audit.snapshot(item, NEWS_FIELDS))
    if changes:
        audit.record(actor=actor, action="programme.news_update", target=item, changes=changes)
    return item


@transaction.atomic
def news_publish(
    *, actor: Any, item: NewsItem, published_at: dt.datetime | None = None
) -> NewsItem:
    """Publish a news item now (or at the given time)."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    if item.status == NewsStatus.PUBLISHED:
        return item
    item.status = NewsStatus.PUBLISHED
    item.published_at = published_at or item.published_at or timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="programme.news_publish",
        target=item,
        changes={"status": [NewsStatus.DRAFT, NewsStatus.PUBLISHED]},
    )
    return item


@transaction.atomic
def news_unpublish(*, actor: Any, item: NewsItem) -> NewsItem:
    """Take a news item off the portal (back to draft)."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    if item.status == NewsStatus.DRAFT:
        return item
    item.status = NewsStatus.DRAFT
    item.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="programme.news_unpublish",
        target=item,
        changes={"status": [NewsStatus.PUBLISHED, NewsStatus.DRAFT]},
    )
    return item


@transaction.atomic
def news_delete(*, actor: Any, item: NewsItem) -> None:
    audit.record(
        actor=actor,
        action="programme.news_delete",
        target=item,
        changes=audit.snapshot(item, ("slug", "title_it", "status")),
    )
    if item.image:
        item.image.delete(save=False)
    item.delete()


# --- Documents -----------------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    actor: Any,
    programme: Programme,
    title_it: str,
    data: bytes,
    published_on: dt.date,
    action: Action | None = None,
    title_en: str = "",
    is_public: bool = True,
) -> Document:
    """Publish a PDF of the programme or of one of its actions (checked by its content)."""
    try:
        clean = uploads.clean_pdf(data)
    except uploads.UploadRejectedError as exc:
        raise _error("file", _upload_message(exc.reason)) from exc
    if action is not None and action.programme_id != programme.pk:
        raise _error("action", _("The action belongs to another programme."))
    document = Document(
        programme=programme,
        action=action,
        title_it=title_it.strip(),
        title_en=title_en.strip(),
        published_on=published_on,
        is_public=is_public,
        size_bytes=len(clean.content),
        uploaded_by=_actor_user(actor),
    )
    _full_clean(document, exclude=["programme", "action", "file", "uploaded_by"])
    name = (slugify(title_it)[:60] or "document") + clean.extension
    document.file.save(name, ContentFile(clean.content), save=False)
    document.save()
    changes = {"document": document.pk, "title_it": document.title_it}
    if action is not None:
        _record_on_action(actor=actor, action=action, verb="document_create", changes=changes)
    else:
        audit.record(
            actor=actor,
            action="programme.document_create",
            target=document,
            lab_id=programme.lab_id,
            changes=changes,
        )
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    document_pk, title = document.pk, document.title_it
    changes: dict[str, Any] = {"document": document_pk, "title_it": title}
    action = (
        Action.objects.select_related("programme").get(pk=document.action_id)
        if document.action_id
        else None
    )
    lab_id = document.programme.lab_id
    document.file.delete(save=False)
    document.delete()
    if action is not None:
        _record_on_action(actor=actor, action=action, verb="document_delete", changes=changes)
    else:
        audit.record(
            actor=actor,
            action="programme.document_delete",
            target_type="programme.document",
            target_id=document_pk,
            label=title,
            lab_id=lab_id,
            changes=changes,
        )


# --- Imports -------------------------------------------------------------------------------

ACTION_IMPORT_COLUMNS = {"key", "line", "title_it"}
ALLOCATION_IMPORT_COLUMNS = {"action", "source", "amount"}
Rows = list[tuple[int, dict[str, str]]]


def parse_amount(value: str, column: str) -> Decimal:
    """Read an amount written as 1234567.89, 1.234.567,89 or 1,234,567.89 (EUR)."""
    v = (value or "").strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if not v:
        return ZERO
    if "," in v and "." in v:
        v = (
            v.replace(".", "").replace(",", ".")
            if v.rfind(",") > v.rfind(".")
            else v.replace(",", "")
        )
    elif "," in v:
        v = v.replace(",", ".")
    elif v.count(".") > 1:
        v = v.replace(".", "")
    try:
        amount = Decimal(v).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(
            _("%(column)s: %(value)r is not an amount") % {"column": column, "value": value}
        ) from exc
    if amount < 0:
        raise ValueError(_("%(column)s: the amount is negative") % {"column": column})
    return amount


def parse_date(value: str, column: str) -> dt.date | None:
    v = (value or "").strip()
    if not v:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(v, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(
        _("%(column)s: %(value)r is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        % {"column": column, "value": value}
    )


def _decimal_or_none(value: str, column: str) -> Decimal | None:
    v = (value or "").strip().replace(",", ".")
    if not v:
        return None
    try:
        return Decimal(v)
    except InvalidOperation as exc:
        raise ValueError(
            _("%(column)s: %(value)r is not a number") % {"column": column, "value": value}
        ) from exc


def actions_import(
    *,
    actor: Any,
    programme: Programme,
    rows: Rows,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update actions by ``key``; any bad row rejects the whole file.

    Columns: key, line (code), title_it; optional title_en, parent (key), code, cup,
    budget_amount, status, planned_start_on, planned_end_on, actual_start_on, actual_end_on,
    responsible_organisation (name), place_label, latitude, longitude, description_it,
    description_en.
    """
    require_columns(rows, ACTION_IMPORT_COLUMNS)
    report = ImportReport(total=len(rows), dry_run=dry_run)
    lines = {line.code.lower(): line for line in ActionLine.objects.filter(programme=programme)}
    existing = {a.key: a for a in Action.objects.filter(programme=programme)}
    allocated = dict(
        Allocation.objects.filter(action__programme=programme)
        .values("action__key")
        .annotate(total=Sum("amount"))
        .values_list("action__key", "total")
    )
    orgs = {o.name.lower(): o for o in Organisation.objects.all()}
    statuses = {s.lower(): s for s in ActionStatus.values} | {
        str(label).lower(): value for value, label in ActionStatus.choices
    }
    seen: dict[str, int] = {}
    file_keys = {slugify(row.get("key", "")) for _line, row in rows}
    plan: list[tuple[dict[str, Any], str]] = []
    for line_no, row in rows:
        try:
            key = slugify(row.get("key", ""))
            if not key:
                raise ValueError(_("key: required"))
            if key in seen:
                raise ValueError(
                    _("key: %(key)r repeats row %(row)s") % {"key": key, "row": seen[key]}
                )
            seen[key] = line_no
            line_code = row.get("line", "").strip()
            line = lines.get(line_code.lower())
            if line is None:
                raise ValueError(_("unknown action line '%(code)s'") % {"code": line_code})
            title = row.get("title_it", "").strip()
            if not title:
                raise ValueError(_("title_it: required"))
            parent_key = slugify(row.get("parent", ""))
            if parent_key:
                if parent_key == key:
                    raise ValueError(_("parent: an action cannot be part of itself"))
                if parent_key not in existing and parent_key not in file_keys:
                    raise ValueError(_("parent: unknown action '%(key)s'") % {"key": parent_key})
            cup = row.get("cup", "").strip().upper()
            if cup:
                try:
                    cup_validator(cup)
                except ValidationError as exc:
                    raise ValueError(_("cup: '%(cup)s' is not a valid CUP") % {"cup": cup}) from exc
            status_raw = row.get("status", "").strip().lower()
            status = statuses.get(status_raw) if status_raw else None
            if status_raw and status is None:
                raise ValueError(_("status: unknown status '%(status)s'") % {"status": status_raw})
            org_name = row.get("responsible_organisation", "").strip()
            org = orgs.get(org_name.lower()) if org_name else None
            if org_name and org is None:
                raise ValueError(
                    _("responsible_organisation: unknown organisation '%(name)s'")
                    % {"name": org_name}
                )
            fields: dict[str, Any] = {
                "key": key,
                "line": line,
                "title_it": title,
                "parent_key": parent_key,
            }
            for column in ("title_en", "code", "place_label", "description_it", "description_en"):
                if column in row:
                    fields[column] = row[column].strip()
            if cup or "cup" in row:
                fields["cup"] = cup
            if status:
                fields["status"] = status
            if org is not None:
                fields["responsible_organisation"] = org
            if row.get("budget_amount", "").strip():
                fields["budget_amount"] = parse_amount(row["budget_amount"], "budget_amount")
            for column in (
                "planned_start_on",
                "planned_end_on",
                "actual_start_on",
                "actual_end_on",
            ):
                if row.get(column, "").strip():
                    fields[column] = parse_date(row[column], column)
            for column in ("latitude", "longitude"):
                if row.get(column, "").strip():
                    fields[column] = _decimal_or_none(row[column], column)
            ps, pe = fields.get("planned_start_on"), fields.get("planned_end_on")
            if ps and pe and pe < ps:
                raise ValueError(_("planned_end_on: before planned_start_on"))
            as_, ae = fields.get("actual_start_on"), fields.get("actual_end_on")
            if as_ and ae and ae < as_:
                raise ValueError(_("actual_end_on: before actual_start_on"))
            budget = fields.get("budget_amount")
            if budget is not None and key in existing and (allocated.get(key) or ZERO) > budget:
                raise ValueError(
                    _("budget_amount: EUR %(allocated)s is already allocated to '%(key)s'")
                    % {"allocated": allocated[key], "key": key}
                )
            plan.append((fields, "update" if key in existing else "create"))
        except ValueError as exc:
            report.errors.append((line_no, str(exc)))
        if progress:
            progress(1)
    if report.errors:
        return report
    report.created = sum(1 for _f, kind in plan if kind == "create")
    report.updated = len(plan) - report.created
    if dry_run:
        return report
    try:
        with transaction.atomic():
            by_key = dict(existing)
            # Parents first: rows whose parent is still to be created wait for it.
            pending = list(plan)
            while pending:
                progressed = False
                for item in list(pending):
                    fields, _kind = item
                    parent_key = fields["parent_key"]
                    if parent_key and parent_key not in by_key:
                        continue
                    values = {k: v for k, v in fields.items() if k != "parent_key"}
                    values["parent"] = by_key[parent_key] if parent_key else None
                    key = values["key"]
                    if key in by_key:
                        action = action_update(actor=actor, action=by_key[key], **values)
                    else:
                        values.pop("line")
                        action = action_create(
                            actor=actor,
                            programme=programme,
                            line=fields["line"],
                            title_it=values.pop("title_it"),
                            **values,
                        )
                    by_key[key] = action
                    pending.remove(item)
                    progressed = True
                if not progressed:
                    raise ApplicationError(_("Some parent actions form a loop."))
            audit.record(
                actor=actor,
                action="programme.actions_import",
                target=programme,
                lab_id=programme.lab_id,
                changes={"created": report.created, "updated": report.updated},
            )
    except ApplicationError as exc:
        line_of = {fields["key"]: seen[fields["key"]] for fields, _k in plan}
        report.errors.append((min(line_of.values(), default=0), exc.message))
        report.created = report.updated = 0
    return report


def allocations_import(
    *,
    actor: Any,
    programme: Programme,
    rows: Rows,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update allocations by (action key, source code); a bad row rejects the file.

    Columns: action (key), source (code), amount; optional committed_amount, committed_on, note.
    The allocations of an action, old and new, may not exceed its budget.
    """
    require_columns(rows, ALLOCATION_IMPORT_COLUMNS)
    report = ImportReport(total=len(rows), dry_run=dry_run)
    actions = {a.key: a for a in Action.objects.filter(programme=programme)}
    sources = {s.code.lower(): s for s in FundingSource.objects.filter(is_active=True)}
    current = {
        (a.action_id, a.source_id): a
        for a in Allocation.objects.filter(action__programme=programme).annotate(
            paid=Sum("payments__amount")
        )
    }
    seen: dict[tuple[int, int], int] = {}
    plan: list[tuple[int, Action, FundingSource, dict[str, Any]]] = []
    for line_no, row in rows:
        try:
            key = slugify(row.get("action", ""))
            action = actions.get(key)
            if action is None:
                raise ValueError(
                    _("unknown action '%(key)s'") % {"key": row.get("action", "").strip()}
                )
            code = row.get("source", "").strip()
            source = sources.get(code.lower())
            if source is None:
                raise ValueError(_("unknown source '%(code)s'") % {"code": code})
            pair = (action.pk, source.pk)
            if pair in seen:
                raise ValueError(
                    _("%(action)s / %(source)s repeats row %(row)s")
                    % {"action": key, "source": source.code, "row": seen[pair]}
                )
            seen[pair] = line_no
            amount = parse_amount(row.get("amount", ""), "amount")
            committed = parse_amount(row.get("committed_amount", ""), "committed_amount")
            if committed > amount:
                raise ValueError(_("committed_amount: more than the allocated amount"))
            old = current.get(pair)
            paid = getattr(old, "paid", None) or ZERO
            if paid > committed:
                raise ValueError(
                    _("committed_amount: EUR %(paid)s has already been paid") % {"paid": paid}
                )
            values: dict[str, Any] = {"amount": amount, "committed_amount": committed}
            if row.get("committed_on", "").strip():
                values["committed_on"] = parse_date(row["committed_on"], "committed_on")
            if "note" in row:
                values["note"] = row["note"].strip()[:250]
            plan.append((line_no, action, source, values))
        except ValueError as exc:
            report.errors.append((line_no, str(exc)))
        if progress:
            progress(1)
    # Budgets: current allocations not in the file, plus the file's rows, per action.
    totals: dict[int, Decimal] = {}
    last_line: dict[int, int] = {}
    for (action_id, _source_id), alloc in current.items():
        if (action_id, _source_id) not in seen:
            totals[action_id] = totals.get(action_id, ZERO) + alloc.amount
    for line_no, action, _source, values in plan:
        totals[action.pk] = totals.get(action.pk, ZERO) + values["amount"]
        last_line[action.pk] = line_no
    by_pk = {a.pk: a for a in actions.values()}
    for action_id, line_no in sorted(last_line.items(), key=lambda kv: kv[1]):
        action = by_pk[action_id]
        if totals[action_id] > action.budget_amount:
            report.errors.append(
                (
                    line_no,
                    _(
                        "allocations to '%(key)s' would total EUR %(total)s, more than its "
                        "budget of EUR %(budget)s"
                    )
                    % {
                        "key": action.key,
                        "total": totals[action_id],
                        "budget": action.budget_amount,
                    },
                )
            )
    report.errors.sort()
    if report.errors:
        return report
    report.updated = sum(1 for _l, a, s, _v in plan if (a.pk, s.pk) in current)
    report.created = len(plan) - report.updated
    if dry_run:
        return report
    with transaction.atomic():
        touched: dict[int, Action] = {}
        for _line_no, action, source, values in plan:
            old = current.get((action.pk, source.pk))
            if old is not None:
                old.__dict__.pop("paid", None)
                for name, value in values.items():
                    setattr(old, name, value)
                old.save()
            else:
                Allocation.objects.create(action=action, source=source, **values)
            touched[action.pk] = action
        for action in touched.values():
            action.programme = programme
            _record_on_action(
                actor=actor,
                action=action,
                verb="allocations_import",
                changes={
                    "allocations": [
                        {"source": s.code, **{k: str(v) for k, v in vals.items()}}
                        for _l, a, s, vals in plan
                        if a.pk == action.pk
                    ]
                },
            )
        audit.record(
            actor=actor,
            action="programme.allocations_import",
            target=programme,
            lab_id=programme.lab_id,
            changes={"created": report.created, "updated": report.updated},
        )
    return report
