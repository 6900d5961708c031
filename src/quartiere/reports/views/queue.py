"""The lab's and the housing organisation's queues, a report's page and its workflow steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape as html_escape
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from quartiere.accounts import selectors as accounts_selectors
from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.formats import short_date
from quartiere.core.lru import rendered_lru
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.reports import forms, permissions, selectors, services, workflow
from quartiere.reports.enums import OPEN_STATUSES, ReportChannel, ReportStatus
from quartiere.reports.models import Notification, Report, ReportAttachment
from quartiere.reports.uploads import MAX_BYTES
from quartiere.territory import selectors as territory_selectors

View = Callable[..., HttpResponse | StreamingHttpResponse]
MAX_BUILDING_CHOICES = 1000


def _current_lab_id(request: HttpRequest) -> int | None:
    lab = request.lab  # type: ignore[attr-defined]
    return lab.pk if lab else None  # request.lab is a lazy object: never ``is None``


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _full_name(first: str, last: str, username: str) -> str:
    """``User.get_full_name() or username`` from the plain columns."""
    return f"{first} {last}".strip() or username


def _staff_choices(lab_id: int | None) -> list[tuple[int, str]]:
    if lab_id is None:
        return []
    rows = accounts_selectors.lab_staff_choices(lab_id=lab_id)
    return [(pk, _full_name(first, last, username)) for pk, first, last, username in rows]


def _staff_member(lab_id: int | None, pk: int | None) -> Any:
    if lab_id is None or pk is None:
        return None
    return accounts_selectors.lab_staff_list(lab_id=lab_id).filter(pk=pk).first()


def _back(request: HttpRequest, default: str) -> str:
    """The page to return to after a POST: ``next`` when it is on this site, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Queues ---------------------------------------------------------------------------------

LAB, ORG = "lab", "org"
# Column -> (first sort when clicked, the opposite sort or None when one-way).
SORTABLE = {
    "category": ("category", None),
    "status": ("status", None),
    "due": ("due", "-due"),
    "submitted": ("-submitted", "submitted"),
}
COLUMNS = [
    ("code", gettext_lazy("Tracking code")),
    ("category", gettext_lazy("Category")),
    ("place", gettext_lazy("Place")),
    ("status", gettext_lazy("Status")),
    ("due", gettext_lazy("Due date")),
    ("assignee", gettext_lazy("Assigned to")),
    ("channel", gettext_lazy("Channel")),
    ("submitted", gettext_lazy("Submitted")),
]


@dataclass
class QueueState:
    mode: str
    cleaned: dict[str, Any]  # the filters' valid values (invalid ones are left out)
    filters_html: SafeString  # the filter bar (empty unless asked for)
    data: QueryDict
    filters: dict[str, Any]
    lab_id: int | None
    organisation_ids: frozenset[int]
    staff: list[tuple[int, str]]


# Filter bars by language, queue, choices and query: the bar (with its errors) and the valid
# values are the same for the same key, and building and rendering the form cost more than
# the queue's SQL.
_filter_bars = rendered_lru(256)


def _filter_kwargs(request: HttpRequest, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the filter form's values into ``selectors.report_list`` arguments."""
    kwargs: dict[str, Any] = {
        "statuses": cleaned.get("status") or forms.DEFAULT_STATUSES,
        "category_id": cleaned.get("category"),
        "building_id": cleaned.get("building"),
        "q": cleaned.get("q") or "",
        "sort": cleaned.get("sort") or "-submitted",
    }
    assignee = cleaned.get("assignee") or ""
    if assignee == "me":
        kwargs["assigned_to"] = request.user
    elif assignee == "none":
        kwargs["unassigned"] = True
    elif assignee.isdigit():
        kwargs["assigned_to"] = int(assignee)
    overdue = cleaned.get("overdue")
    kwargs["overdue"] = {"yes": True, "no": False}.get(overdue or "")
    return kwargs


def _filters_html(form: forms.ReportQueueFilterForm, data: QueryDict, *, mode: str) -> SafeString:
    all_statuses = data.copy()
    all_statuses.setlist("status", ReportStatus.values)
    return mark_safe(  # noqa: S308 - rendered by the template engine
        render_to_string(
            "reports/_queue_filters.html",
            {
                "form": form,
                "all_statuses_query": all_statuses.urlencode(),
                "queue_url": reverse("reports:queue" if mode == LAB else "reports:org_queue"),
            },
        )
    )


def _queue_state(request: HttpRequest, *, mode: str, with_html: bool = False) -> QueueState:
    user = request.user
    lab_id = _current_lab_id(request)
    org_ids = accounts_selectors.user_organisation_ids(user) if mode == ORG else frozenset()
    # The lab queue works on the current lab; the organisation's queue spans the user's labs.
    queue_lab_id = lab_id if mode == LAB else None
    district_id = None
    if queue_lab_id is not None:
        district_id = request.lab.district_id  # type: ignore[attr-defined]
    categories = [
        (pk, name if queue_lab_id else f"{name} · {lab_name}")
        for pk, name, lab_name in selectors.category_choices(user=user, lab_id=queue_lab_id)
    ]
    buildings = territory_selectors.building_choices(
        user=user, district_id=district_id, limit=MAX_BUILDING_CHOICES
    )
    staff = _staff_choices(lab_id)
    data = request.GET.copy()
    data.pop("page", None)
    if not data.getlist("status"):
        data.setlist("status", forms.DEFAULT_STATUSES)
    key = (
        translation.get_language(),
        mode,
        tuple(categories),
        tuple(buildings),
        tuple(staff),
        tuple((name, tuple(values)) for name, values in sorted(data.lists())),
    )
    found = _filter_bars.get(key)
    if found is None or (with_html and not found[1]):
        form = forms.ReportQueueFilterForm(
            data, categories=categories, buildings=buildings, staff=staff
        )
        form.is_valid()  # invalid filters are shown as errors and ignored
        html = _filters_html(form, data, mode=mode) if with_html else SafeString("")
        found = (
            {**form.cleaned_data, "status": tuple(form.cleaned_data.get("status") or ())},
            html,
        )
        _filter_bars.put(key, found)
    cleaned, filters_html = found
    filters = _filter_kwargs(request, cleaned)
    return QueueState(
        mode=mode,
        cleaned=cleaned,
        filters_html=filters_html if with_html else SafeString(""),
        data=data,
        filters=filters,
        lab_id=queue_lab_id,
        organisation_ids=org_ids,
        staff=staff,
    )


def _sort_headers(data: QueryDict, current: str) -> list[dict[str, Any]]:
    unsorted = data.copy()
    unsorted.pop("sort", None)
    base = unsorted.urlencode()
    base = f"?{base}&sort=" if base else "?sort="
    headers = []
    for key, label in COLUMNS:
        header: dict[str, Any] = {"key": key, "label": label, "url": None, "aria_sort": None}
        if key in SORTABLE:
            first, second = SORTABLE[key]
            if current in (first, second):
                header["aria_sort"] = "descending" if current.startswith("-") else "ascending"
                following = second if (current == first and second) else first
            else:
                following = first
            header["url"] = base + following
        headers.append(header)
    return headers


_SORT_ARROWS = {
    "ascending": ' <span aria-hidden="true">▲</span>',
    "descending": ' <span aria-hidden="true">▼</span>',
}


def _head_html(headers: list[dict[str, Any]], *, can_bulk: bool, show_lab: bool) -> SafeString:
    """The table's header row, written in Python as its rows are (every value is escaped)."""
    cells = []
    if can_bulk:
        select = html_escape(_("Select"))
        cells.append(f'<th scope="col"><span class="visually-hidden">{select}</span></th>')
    for h in headers:
        label = html_escape(str(h["label"]))
        sort = h["aria_sort"]
        attribute = f' aria-sort="{sort}"' if sort else ""
        if h["url"]:
            label = (
                f'<a href="{html_escape(h["url"])}" data-testid="sort-{h["key"]}">'
                f"{label}{_SORT_ARROWS.get(sort, '')}</a>"
            )
        cells.append(f'<th scope="col"{attribute}>{label}</th>')
    if show_lab:
        cells.append(f'<th scope="col">{html_escape(_("Lab"))}</th>')
    return mark_safe("<tr>" + "".join(cells) + "</tr>")  # noqa: S308 - every value is escaped


# A status's badge colour (the label is always written; the colour only repeats it).
STATUS_BADGES = {
    ReportStatus.SUBMITTED: "bg-warning",
    ReportStatus.REOPENED: "bg-warning",
    ReportStatus.RESOLVED: "bg-success",
    ReportStatus.CLOSED: "bg-success",
    ReportStatus.REJECTED: "bg-secondary",
    ReportStatus.MERGED: "bg-secondary",
}
URL_PK = 2_147_483_647  # a placeholder id, replaced by each row's id in the reversed URL


def _queue_rows(rows: list[dict[str, Any]], *, with_lab: bool) -> list[dict[str, Any]]:
    """Turn a page of plain report rows into what the table shows: labels, dates and URLs are
    worked out here once, so the template writes each cell without lookups, tags or queries."""
    labels = selectors.report_queue_labels(report_ids=[r["id"] for r in rows], with_lab=with_lab)
    english = (translation.get_language() or "it").startswith("en")
    statuses = {value: str(label) for value, label in ReportStatus.choices}
    channels = {value: str(label) for value, label in ReportChannel.choices}
    detail_url = reverse("reports:detail", args=[URL_PK])
    unassigned = _("Unassigned")
    select_label, acknowledge_by = _("Select %(code)s"), _("acknowledge by %(date)s")
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    dates: dict[dt.date | None, str] = {}

    def short(day: dt.date | None) -> str:  # a page repeats the same few dates
        if day not in dates:
            dates[day] = short_date(day)
        return dates[day]

    out = []
    for r in rows:
        pk, status = r["id"], r["status"]
        label = labels.get(pk) or (None,) * 9
        name_it, name_en, street, number, stair, first, last, username = label[:8]
        if street is not None:
            place = f"{street} {number}, {stair}" if stair is not None else f"{street} {number}"
        else:
            place = r["address_text"] or "—"
        is_open = status in OPEN_STATUSES
        ack_due, resolve_due = r["acknowledge_due_on"], r["resolve_due_on"]
        waiting_ack = status == ReportStatus.SUBMITTED
        out.append(
            {
                "pk": pk,
                "code": r["tracking_code"],
                "url": detail_url.replace(str(URL_PK), str(pk)),
                "select_label": select_label % {"code": r["tracking_code"]},
                "category": (name_en if english else name_it) or "",
                "place": place,
                "status": status,
                "status_label": statuses.get(status, status),
                "badge": STATUS_BADGES.get(status, "bg-primary"),
                "due": short(resolve_due),
                "acknowledge_by": acknowledge_by % {"date": short(ack_due)} if waiting_ack else "",
                "overdue": is_open and ((waiting_ack and ack_due < today) or resolve_due < today),
                "assignee": _full_name(first, last, username)
                if username is not None
                else unassigned,
                "channel": channels.get(r["channel"], r["channel"]),
                "submitted": short(r["submitted_at"].astimezone(tz).date()),
                "lab": label[8] if with_lab else "",
            }
        )
    return out


def _rows_html(rows: list[dict[str, Any]], *, can_bulk: bool, show_lab: bool) -> SafeString:
    """The table's rows, written in Python: the template engine spent about a millisecond a
    row resolving the same dozen cells and conditions (every value is escaped here)."""
    overdue = (
        '<br><span class="badge bg-danger ms-1" data-testid="overdue-badge">'
        f"{html_escape(_('Overdue'))}</span>"
    )
    out = []
    for r in rows:
        pk = int(r["pk"])
        select = (
            f'<td><div class="form-check my-0"><input type="checkbox" id="sel-{pk}" '
            f'name="reports" value="{pk}"><label for="sel-{pk}" class="my-0">'
            f'<span class="visually-hidden">{html_escape(r["select_label"])}</span>'
            "</label></div></td>"
            if can_bulk
            else ""
        )
        acknowledge = (
            f"<br><small>{html_escape(r['acknowledge_by'])}</small>" if r["acknowledge_by"] else ""
        )
        lab = f"<td>{html_escape(r['lab'])}</td>" if show_lab else ""
        out.append(
            f'<tr data-testid="report-row">{select}<th scope="row">'
            f'<a href="{html_escape(r["url"])}" class="text-nowrap">'
            f"{html_escape(r['code'])}</a></th>"
            f"<td>{html_escape(r['category'])}</td><td>{html_escape(r['place'])}</td>"
            f'<td><span class="badge {r["badge"]}" data-testid="status-badge">'
            f"{html_escape(r['status_label'])}</span></td>"
            f'<td class="text-nowrap">{html_escape(r["due"])}{acknowledge}'
            f"{overdue if r['overdue'] else ''}</td>"
            f"<td>{html_escape(r['assignee'])}</td><td>{html_escape(r['channel'])}</td>"
            f'<td class="text-nowrap">{html_escape(r["submitted"])}</td>{lab}</tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped


def _render_queue(request: HttpRequest, *, mode: str) -> HttpResponse:
    state = _queue_state(request, mode=mode, with_html=True)
    page = paginate(
        request,
        selectors.report_queue_page_rows(
            user=request.user,
            lab_id=state.lab_id,
            organisation_ids=state.organisation_ids if mode == ORG else None,
            **state.filters,
        ),
    )
    user = request.user
    scope = accounts_selectors.user_scope(user)
    show_lab = state.lab_id is None and len(scope.lab_ids) > 1
    rows = [dict(zip(selectors.QUEUE_ROW_FIELDS, row, strict=True)) for row in page.object_list]
    page.object_list = _queue_rows(rows, with_lab=show_lab)
    can_bulk = user.has_perm("reports.process_report") or user.has_perm("reports.assign_report")
    headers = _sort_headers(state.data, state.filters["sort"])
    return render(
        request,
        "reports/queue.html",
        {
            "mode": mode,
            "filters_html": state.filters_html,
            "page": page,
            "query": state.data.urlencode(),
            "headers": headers,
            "head_html": _head_html(headers, can_bulk=can_bulk, show_lab=show_lab),
            "show_lab": show_lab,
            "can_bulk": can_bulk,
            "rows_html": _rows_html(page.object_list, can_bulk=can_bulk, show_lab=show_lab),
            "bulk_staff": state.staff,
            "has_organisations": bool(accounts_selectors.user_organisation_ids(user)),
            "is_lab_staff": permissions.is_lab_staff(user),
            "export_url": reverse(
                "reports:queue_export" if mode == LAB else "reports:org_queue_export"
            ),
        },
    )


@staff_view("reports.view_report")
def report_queue(request: HttpRequest) -> HttpResponse:
    """The current lab's reports; housing staff are sent to their organisation's queue."""
    user = request.user
    if not permissions.is_lab_staff(user) and accounts_selectors.user_organisation_ids(user):
        query = request.GET.urlencode()
        return redirect(reverse("reports:org_queue") + (f"?{query}" if query else ""))
    return _render_queue(request, mode=LAB)


@staff_view("reports.view_report")
def report_org_queue(request: HttpRequest) -> HttpResponse:
    """The reports forwarded to the user's organisation(s), across the user's labs."""
    return _render_queue(request, mode=ORG)


def _audit_filters(state: QueueState) -> dict[str, Any]:
    """The filters of an export, for the audit trail: ids and codes, never free text."""
    cleaned = state.cleaned
    text = (cleaned.get("q") or "").strip()
    return {
        "status": list(state.filters["statuses"]),
        "category": cleaned.get("category"),
        "building": cleaned.get("building"),
        "assignee": cleaned.get("assignee") or "",
        "overdue": cleaned.get("overdue") or "",
        "q": text.upper() if text.upper().startswith("SG-") else ("[text]" if text else ""),
        "sort": state.filters["sort"],
    }


def _reports(request: HttpRequest, state: QueueState) -> QuerySet[Report]:
    """The queue's filtered reports, as models (for the export)."""
    if state.mode == ORG:
        qs = selectors.report_org_queue_list(
            user=request.user, organisation_ids=state.organisation_ids, **state.filters
        )
    else:
        qs = selectors.report_list(user=request.user, lab_id=state.lab_id, **state.filters)
    return qs.select_related("lab")


def _export(request: HttpRequest, *, mode: str) -> HttpResponse | StreamingHttpResponse:
    state = _queue_state(request, mode=mode)
    reports = _reports(request, state)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    with_resident = request.user.has_perm("people.view_resident")
    services.reports_export_record(
        actor=request.user,
        lab_id=state.lab_id,
        fmt=fmt,
        queue=mode,
        filters=_audit_filters(state),
        rows=reports.count(),
        with_resident=with_resident,
    )
    header = selectors.REPORT_EXPORT_HEADER + (("resident",) if with_resident else ())
    return export_response(
        filename=f"segnalazioni-{timezone.localdate():%Y%m%d}",
        fmt=fmt,
        header=header,
        rows=selectors.report_export_rows(qs=reports, with_resident=with_resident),
    )


@staff_view("reports.view_report", "reports.export_reports")
def report_queue_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Download the lab queue's filtered list (CSV or XLSX); the export is audited."""
    return _export(request, mode=LAB)


@staff_view("reports.view_report", "reports.export_reports")
def report_org_queue_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Download the organisation queue's filtered list (CSV or XLSX); the export is audited."""
    return _export(request, mode=ORG)


@require_POST
@staff_view("reports.view_report")
def report_bulk(request: HttpRequest) -> HttpResponse:
    """Acknowledge or assign the ticked reports; each one succeeds or says why not."""
    lab_id = _current_lab_id(request)
    back = _back(request, reverse("reports:queue"))
    form = forms.ReportBulkForm(request.POST, staff=_staff_choices(lab_id))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    action = form.cleaned_data["action"]
    needed = "reports.process_report" if action == "acknowledge" else "reports.assign_report"
    if not request.user.has_perm(needed):
        raise PermissionDenied
    ids = form.cleaned_data["reports"]
    targets = list(selectors.report_list(user=request.user).filter(pk__in=ids))
    assignee = _staff_member(lab_id, form.cleaned_data.get("assignee"))
    done, refused = services.reports_bulk(
        reports=targets, actor=request.user, action=action, assignee=assignee
    )
    if done:
        n = len(done)
        if action == "acknowledge":
            text = ngettext("%(n)d report acknowledged.", "%(n)d reports acknowledged.", n)
        else:
            text = ngettext("%(n)d report assigned.", "%(n)d reports assigned.", n)
        messages.success(request, text % {"n": n})
    missing = len(ids) - len(targets)
    if refused or missing:
        reasons = [f"{report.tracking_code}: {reason}" for report, reason in refused]
        if missing:
            reasons.append(
                ngettext("%(n)d report was not found.", "%(n)d reports were not found.", missing)
                % {"n": missing}
            )
        n = len(refused) + missing
        lead = ngettext("%(n)d report was not changed:", "%(n)d reports were not changed:", n)
        messages.warning(request, " ".join([lead % {"n": n}, *reasons]))
    return redirect(back)


# --- A report's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A workflow step offered on the report page: its form, the target status, the service."""

    key: str
    target: str
    label: Any
    form_class: type[django_forms.Form]
    done: Any
    run: Callable[[HttpRequest, Report, dict[str, Any]], Report]
    danger: bool = False


def _forward(request: HttpRequest, report: Report, data: dict[str, Any]) -> Report:
    organisation = None
    if data.get("organisation"):
        organisation = (
            accounts_selectors.organisation_list().filter(pk=data["organisation"]).first()
        )
    return services.report_forward(
        report=report, actor=request.user, organisation=organisation, note=data["note"]
    )


def _merge(request: HttpRequest, report: Report, data: dict[str, Any]) -> Report:
    into = (
        selectors.report_list(user=request.user, lab_id=report.lab_id)
        .filter(tracking_code=data["into"])
        .first()
    )
    if into is None:
        msg = _("No report of this lab has this tracking code.")
        raise ApplicationError(msg, fields={"into": [msg]})
    return services.report_merge(report=report, actor=request.user, into=into)


STEPS = [
    Step(
        "acknowledge",
        ReportStatus.ACKNOWLEDGED,
        gettext_lazy("Acknowledge"),
        forms.NoteForm,
        gettext_lazy("Report acknowledged."),
        lambda rq, r, d: services.report_acknowledge(report=r, actor=rq.user, note=d["note"]),
    ),
    Step(
        "forward",
        ReportStatus.FORWARDED,
        gettext_lazy("Forward"),
        forms.ForwardForm,
        gettext_lazy("Report forwarded."),
        _forward,
    ),
    Step(
        "start",
        ReportStatus.IN_PROGRESS,
        gettext_lazy("Start work"),
        forms.NoteForm,
        gettext_lazy("Work on the report started."),
        lambda rq, r, d: services.report_start(report=r, actor=rq.user, note=d["note"]),
    ),
    Step(
        "resolve",
        ReportStatus.RESOLVED,
        gettext_lazy("Resolve"),
        forms.ResolveForm,
        gettext_lazy("Report resolved."),
        lambda rq, r, d: services.report_resolve(
            report=r, actor=rq.user, resolution=d["resolution"]
        ),
    ),
    Step(
        "close",
        ReportStatus.CLOSED,
        gettext_lazy("Close"),
        forms.NoteForm,
        gettext_lazy("Report closed."),
        lambda rq, r, d: services.report_close(report=r, actor=rq.user, note=d["note"]),
    ),
    Step(
        "reopen",
        ReportStatus.REOPENED,
        gettext_lazy("Reopen for the resident"),
        forms.ReasonForm,
        gettext_lazy("Report reopened."),
        lambda rq, r, d: services.report_reopen(report=r, actor=rq.user, reason=d["reason"]),
    ),
    Step(
        "reject",
        ReportStatus.REJECTED,
        gettext_lazy("Reject"),
        forms.ReasonForm,
        gettext_lazy("Report rejected."),
        lambda rq, r, d: services.report_reject(report=r, actor=rq.user, reason=d["reason"]),
        danger=True,
    ),
    Step(
        "merge",
        ReportStatus.MERGED,
        gettext_lazy("Merge into another report"),
        forms.MergeForm,
        gettext_lazy("Report merged."),
        _merge,
        danger=True,
    ),
]
STEPS_BY_KEY = {step.key: step for step in STEPS}


def _step_form(step: Step, report: Report, data: QueryDict | None = None) -> django_forms.Form:
    if step.form_class is forms.ForwardForm:
        organisations = [(o.pk, o.name) for o in accounts_selectors.organisation_list()]
        return forms.ForwardForm(
            data,
            prefix=step.key,
            organisations=organisations,
            initial={"organisation": report.category.responsible_organisation_id},
        )
    return step.form_class(data, prefix=step.key)


def _assign_form(report: Report) -> forms.AssignForm:
    return forms.AssignForm(
        prefix="assign",
        staff=_staff_choices(report.lab_id),
        initial={"assignee": report.assigned_to_id},
    )


def _answers(report: Report) -> list[tuple[str, str]]:
    """The answers to the category's extra questions, labelled with the questions."""
    given = dict(report.attributes or {})
    out: list[tuple[str, str]] = []
    for attr in report.category.attributes.all():
        if attr.code not in given:
            continue
        value = given.pop(attr.code)
        values = value if isinstance(value, list) else [value]
        names = {str(v.get("key")): str(v.get("name", v.get("key"))) for v in attr.values or []}
        out.append((attr.description, ", ".join(names.get(str(v), str(v)) for v in values)))
    for code, value in given.items():  # questions removed since the report was made
        out.append((code, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    return out


def _detail_context(
    request: HttpRequest,
    report: Report,
    bound: Mapping[str, django_forms.Form] | None = None,
    error: str = "",
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    can_process = user.has_perm("reports.process_report")
    allowed = workflow.allowed_targets(report.status) if can_process else frozenset()
    steps = [
        {"step": step, "form": bound.get(step.key) or _step_form(step, report)}
        for step in STEPS
        if step.target in allowed
    ]
    can_assign = user.has_perm("reports.assign_report") and report.is_open
    duplicates: list[Report] = []
    if ReportStatus.MERGED in allowed:
        duplicates = selectors.report_duplicates(
            user=user,
            lab_id=report.lab_id,
            category_id=report.category_id,
            building_id=report.building_id,
            exclude_pk=report.pk,
        )
    today = timezone.localdate()
    return {
        "report": report,
        "error": error,
        "steps": steps,
        "open_step": next((key for key in bound if key in STEPS_BY_KEY), ""),
        "duplicates": duplicates,
        "answers": _answers(report),
        "history": list(report.status_changes.all()),
        "comments": list(report.comments.all()),
        "attachments": list(report.attachments.all()),
        "follower_count": len(report.followers.all()),
        "merged_reports": list(report.merged_reports.all()),
        "acknowledge_overdue": report.status == ReportStatus.SUBMITTED
        and report.acknowledge_due_on < today,
        "resolve_overdue": report.is_open and report.resolve_due_on < today,
        "show_resident_link": bool(report.resident_id) and user.has_perm("people.view_resident"),
        "show_contact": permissions.can_view_report_contact(user),
        "assign_form": (bound.get("assign") or _assign_form(report)) if can_assign else None,
        "comment_form": bound.get("comment") or forms.CommentForm(prefix="comment"),
        "attachment_form": bound.get("attachment") or forms.AttachmentForm(prefix="attachment"),
        "can_comment": user.has_perm("reports.add_reportcomment"),
        "can_attach": can_process,
    }


def _get_report(request: HttpRequest, pk: int) -> Report:
    return scoped_or_404(
        request, selectors.report_get(user=request.user, pk=pk), model=Report, pk=pk
    )


def _render_detail(
    request: HttpRequest,
    report: Report,
    bound: Mapping[str, django_forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    return render(
        request, "reports/report_detail.html", _detail_context(request, report, bound, error)
    )


@staff_view("reports.view_report")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one report, and the steps the user may take next."""
    return _render_detail(request, _get_report(request, pk))


@require_POST
@staff_view("reports.view_report", "reports.process_report")
def report_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Move a report one step; a refused step shows the reason and changes nothing."""
    step = STEPS_BY_KEY.get(action)
    if step is None:
        raise Http404
    report = _get_report(request, pk)
    form = _step_form(step, report, request.POST)
    if form.is_valid():
        try:
            step.run(request, report, form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
            return _render_detail(request, report, {step.key: form}, exc.message)
        messages.success(request, str(step.done))
        return redirect("reports:detail", pk=report.pk)
    return _render_detail(
        request, report, {step.key: form}, _("The step was not recorded: check the form.")
    )


@require_POST
@staff_view("reports.view_report", "reports.assign_report")
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    form = forms.AssignForm(request.POST, prefix="assign", staff=_staff_choices(report.lab_id))
    if form.is_valid():
        assignee = _staff_member(report.lab_id, form.cleaned_data["assignee"])
        try:
            services.report_assign(report=report, actor=request.user, assignee=assignee)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
            return _render_detail(request, report, {"assign": form}, exc.message)
        if assignee is None:
            messages.success(request, _("The report is no longer assigned."))
        else:
            messages.success(
                request, _("Report assigned to %(name)s.") % {"name": _person(assignee)}
            )
        return redirect("reports:detail", pk=report.pk)
    return _render_detail(
        request, report, {"assign": form}, _("Choose a member of the lab's staff.")
    )


@require_POST
@staff_view("reports.view_report", "reports.add_reportcomment")
def report_comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    form = forms.CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.report_comment_add(
                report=report,
                actor=request.user,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
            return _render_detail(request, report, {"comment": form}, exc.message)
        messages.success(request, _("Comment added."))
        return redirect("reports:detail", pk=report.pk)
    return _render_detail(
        request, report, {"comment": form}, _("The comment was not added: check the form.")
    )


@require_POST
@staff_view("reports.view_report", "reports.process_report")
def report_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        upload = form.cleaned_data["attachments"]
        try:
            # One byte past the limit is enough for the service to refuse a file as too big.
            services.report_attachment_add(
                report=report, actor=request.user, name=upload.name, data=upload.read(MAX_BYTES + 1)
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
            return _render_detail(request, report, {"attachment": form}, exc.message)
        messages.success(request, _("File attached."))
        return redirect("reports:detail", pk=report.pk)
    return _render_detail(
        request, report, {"attachment": form}, _("The file was not attached: check the form.")
    )


@staff_view("reports.view_report")
def report_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Send an attachment of a visible report (never through a public media URL)."""
    report = _get_report(request, pk)
    attachment = scoped_or_404(
        request,
        next((a for a in report.attachments.all() if a.pk == attachment_pk), None),
        model=ReportAttachment,
        pk=attachment_pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Outbox ---------------------------------------------------------------------------------


@staff_view("reports.view_notification")
def outbox(request: HttpRequest) -> HttpResponse:
    """The lab's e-mails to residents: pending, sent and failed, with the errors."""
    form = forms.OutboxFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    qs = selectors.notification_list(
        user=request.user, lab_id=_current_lab_id(request), status=status or None
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/outbox.html",
        {"form": form, "page": paginate(request, qs), "query": query.urlencode()},
    )


@require_POST
@staff_view("reports.view_notification", "reports.change_notification")
def notification_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed e-mail again."""
    notification = scoped_or_404(
        request,
        selectors.notification_list(user=request.user).filter(pk=pk).first(),
        model=Notification,
        pk=pk,
    )
    try:
        services.notification_retry(notification=notification, actor=request.user)
        messages.success(request, _("The message was queued again."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_back(request, reverse("reports:outbox")))


urlpatterns: list[URLPattern] = [
    path("", report_queue, name="queue"),
    path("export/", report_queue_export, name="queue_export"),
    path("organisation/", report_org_queue, name="org_queue"),
    path("organisation/export/", report_org_queue_export, name="org_queue_export"),
    path("bulk/", report_bulk, name="bulk"),
    path("outbox/", outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", notification_retry, name="notification_retry"),
    path("<int:pk>/", report_detail, name="detail"),
    path("<int:pk>/steps/<slug:action>/", report_step, name="step"),
    path("<int:pk>/assign/", report_assign, name="assign"),
    path("<int:pk>/comments/", report_comment_add, name="comment_add"),
    path("<int:pk>/attachments/", report_attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", report_attachment, name="attachment"),
]
