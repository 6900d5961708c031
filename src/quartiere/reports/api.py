"""Staff API for reports: the queue, a report with its history, intake and each workflow step.

Views validate input, call selectors and services, serialize. Permission classes wrap the
capabilities (``reports.view_report``, ``add_report``, ``process_report``, ``assign_report``);
scoping comes from the selectors, so another lab's report answers 404. An illegal status change
answers 409 with the shared error shape and changes nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from quartiere.accounts import selectors as accounts_selectors
from quartiere.core.drf import (
    CoordinateField,
    ErrorSerializer,
    OptionalBoolean,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    error_responses,
)
from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.views import scoped_or_404
from quartiere.people import selectors as people_selectors
from quartiere.reports import selectors, services, workflow
from quartiere.reports.enums import CommentVisibility, ReportChannel, ReportStatus
from quartiere.reports.models import Report, ReportComment
from quartiere.territory import selectors as territory_selectors

TAGS = ["reports"]
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="Refused by the report's current state: the workflow does not allow this "
        "step (code ``invalid_transition``), or a rule of the step does (code ``conflict``, "
        "e.g. merging into a closed report, forwarding when no organisation is responsible). "
        "Nothing was changed.",
    )
}


# --- Permissions ----------------------------------------------------------------------------


class _Capability(BasePermission):
    """Allow an authenticated user holding every capability in ``perms``."""

    perms: ClassVar[tuple[str, ...]] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(self.perms))


class CanViewReports(_Capability):
    perms = ("reports.view_report",)


class CanAddReports(_Capability):
    perms = ("reports.view_report", "reports.add_report")


class CanProcessReports(_Capability):
    perms = ("reports.view_report", "reports.process_report")


class CanAssignReports(_Capability):
    perms = ("reports.view_report", "reports.assign_report")


class CanCommentReports(_Capability):
    perms = ("reports.view_report", "reports.add_reportcomment")


# --- Output ---------------------------------------------------------------------------------


# Named enum components: the list and the detail share them without a naming collision.
@extend_schema_field(
    {"type": "string", "enum": ReportStatus.values}, component_name="ReportStatusEnum"
)
class ReportStatusOutputField(serializers.CharField):
    pass


@extend_schema_field(
    {"type": "string", "enum": ReportChannel.values}, component_name="ReportChannelEnum"
)
class ReportChannelOutputField(serializers.CharField):
    pass


class CategoryRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class BuildingRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()


class PersonRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")


class OrganisationRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportListOutput(serializers.ModelSerializer):
    category = CategoryRefOutput()
    building = BuildingRefOutput(allow_null=True)
    stair = serializers.CharField(source="entrance.name", allow_null=True, default=None)
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    assigned_to = PersonRefOutput(allow_null=True)
    forwarded_to = OrganisationRefOutput(allow_null=True)
    status = ReportStatusOutputField()
    channel = ReportChannelOutputField()
    is_overdue = serializers.BooleanField(source="overdue")

    class Meta:
        model = Report
        fields = [
            "id",
            "tracking_code",
            "lab",
            "status",
            "channel",
            "category",
            "building",
            "stair",
            "unit",
            "assigned_to",
            "forwarded_to",
            "submitted_at",
            "status_changed_at",
            "acknowledge_due_on",
            "resolve_due_on",
            "is_overdue",
        ]


class StatusChangeOutput(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = PersonRefOutput(allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class CommentOutput(serializers.ModelSerializer):
    author = PersonRefOutput(allow_null=True)

    class Meta:
        model = ReportComment
        fields = ["id", "visibility", "body", "author", "created_at"]


class AttachmentOutput(serializers.Serializer):
    """An attachment's description; its bytes are never in the API."""

    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size_bytes = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ReportDetailOutput(ReportListOutput):
    submitted_by = PersonRefOutput(allow_null=True)
    merged_into = serializers.CharField(
        source="merged_into.tracking_code", allow_null=True, default=None
    )
    history = StatusChangeOutput(source="status_changes", many=True)
    comments = CommentOutput(many=True)
    attachments = AttachmentOutput(many=True)
    follower_count = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ReportListOutput.Meta):
        fields = [
            *ReportListOutput.Meta.fields,
            "description",
            "address_text",
            "latitude",
            "longitude",
            "resident",
            "contact_name",
            "contact_email",
            "contact_phone",
            "language",
            "attributes",
            "submitted_by",
            "resolution",
            "rejection_reason",
            "reopen_count",
            "merged_into",
            "acknowledged_at",
            "forwarded_at",
            "resolved_at",
            "closed_at",
            "history",
            "comments",
            "attachments",
            "follower_count",
            "allowed_transitions",
        ]

    def get_follower_count(self, report: Report) -> int:
        return len(report.followers.all())

    def get_allowed_transitions(self, report: Report) -> list[str]:
        return sorted(workflow.allowed_targets(report.status))


# --- Input ----------------------------------------------------------------------------------


class ReportFilterInput(serializers.Serializer):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportStatus.choices), required=False
    )
    open = OptionalBoolean(required=False, allow_null=True, default=None)
    lab = serializers.IntegerField(required=False, min_value=1)
    category = serializers.IntegerField(required=False, min_value=1)
    building = serializers.IntegerField(required=False, min_value=1)
    assigned_to = serializers.IntegerField(required=False, min_value=1)
    unassigned = OptionalBoolean(required=False, allow_null=True, default=None)
    overdue = OptionalBoolean(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)
    sort = serializers.ChoiceField(choices=sorted(selectors.SORTS), required=False)


class ReportCreateInput(serializers.Serializer):
    category = StrictIntegerField(min_value=1)
    description = StrictCharField(max_length=5000)
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in services.CHANNELS_STAFF],
        default=ReportChannel.DESK,
    )
    building = StrictIntegerField(required=False, min_value=1)
    stair = StrictIntegerField(required=False, min_value=1)
    unit = StrictIntegerField(required=False, min_value=1)
    latitude = CoordinateField(required=False, min_value=-90, max_value=90)
    longitude = CoordinateField(required=False, min_value=-180, max_value=180)
    address_text = StrictCharField(max_length=250, required=False, default="")
    resident = StrictIntegerField(required=False, min_value=1)
    contact_name = StrictCharField(max_length=150, required=False, default="")
    contact_email = serializers.EmailField(required=False, default="")
    contact_phone = StrictCharField(max_length=40, required=False, default="")
    wants_updates = StrictBooleanField(required=False, default=True)
    language = serializers.ChoiceField(choices=["it", "en"], default="it")
    attributes = serializers.DictField(required=False, default=dict)


class ReportNoteInput(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class ReportForwardInput(ReportNoteInput):
    organisation = StrictIntegerField(
        required=False, min_value=1, help_text="Default: the category's responsible organisation"
    )


class ReportResolveInput(serializers.Serializer):
    resolution = StrictCharField(max_length=5000)


class ReportReasonInput(serializers.Serializer):
    reason = StrictCharField(max_length=5000)


class ReportMergeInput(serializers.Serializer):
    into = StrictIntegerField(min_value=1, help_text="Id of the report to keep")


class ReportAssignInput(serializers.Serializer):
    assignee = StrictIntegerField(
        min_value=1, allow_null=True, help_text="A user of the lab's staff; null to unassign"
    )


class ReportCommentInput(serializers.Serializer):
    body = StrictCharField(max_length=5000)
    visibility = serializers.ChoiceField(choices=CommentVisibility.choices)


class _BadReferenceError(ApplicationError):
    """An id in the body that names nothing the user may use (answered 400)."""


def _field_error(field: str, message: str) -> ApplicationError:
    return _BadReferenceError(message, fields={field: [message]})


def _report_or_404(request: Request, pk: int) -> Report:
    report = selectors.report_get(user=request.user, pk=pk)
    return scoped_or_404(request, report, model=Report, pk=pk)


def _detail(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(ReportDetailOutput(_report_or_404(request, pk)).data, status=code)


# --- Queue and detail -----------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter(
            "status", str, many=True, enum=ReportStatus.values, description="Status (repeatable)"
        ),
        OpenApiParameter("open", bool, description="Only reports still waiting for someone"),
        OpenApiParameter("lab", {"type": "integer", "minimum": 1}, description="Lab id"),
        OpenApiParameter("category", {"type": "integer", "minimum": 1}, description="Category"),
        OpenApiParameter("building", {"type": "integer", "minimum": 1}, description="Building"),
        OpenApiParameter(
            "assigned_to", {"type": "integer", "minimum": 1}, description="Assignee's user id"
        ),
        OpenApiParameter("unassigned", bool, description="Only reports nobody is assigned to"),
        OpenApiParameter("overdue", bool, description="Past (true) or within (false) the SLA"),
        OpenApiParameter("q", str, description="Tracking code prefix or words of the text"),
        OpenApiParameter("sort", str, enum=sorted(selectors.SORTS), description="Order"),
    ],
    responses={200: ReportListOutput(many=True), **error_responses(400, 401, 403, 404)},
)
class ReportListApi(ListAPIView):
    """The queue: reports of the user's labs (or forwarded to their organisation)."""

    serializer_class = ReportListOutput
    permission_classes = [CanViewReports]
    queryset = Report.objects.none()

    def get_permissions(self) -> list[BasePermission]:
        return [CanAddReports()] if self.request.method == "POST" else [CanViewReports()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = ReportFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.report_list(
            user=self.request.user,
            lab_id=data.get("lab"),
            statuses=data.get("status") or None,
            open_only=bool(data.get("open")),
            category_id=data.get("category"),
            building_id=data.get("building"),
            assigned_to=data.get("assigned_to"),
            unassigned=bool(data.get("unassigned")),
            overdue=data.get("overdue"),
            q=data.get("q", ""),
            sort=data.get("sort", "-submitted"),
        )

    @extend_schema(
        tags=TAGS,
        request=ReportCreateInput,
        responses={201: ReportDetailOutput, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        """Record a report taken at the desk, on the phone, by e-mail or on outreach."""
        form = ReportCreateInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        user = request.user
        category = selectors.category_get(user=user, pk=data.pop("category"))
        if category is None or not category.is_active:
            raise _field_error("category", _("No such active category in your labs."))
        district_id = category.lab.district_id
        place: dict[str, Any] = {}
        if "building" in data:
            place["building"] = territory_selectors.building_get(user=user, pk=data.pop("building"))
            if place["building"] is None:
                raise _field_error("building", _("No such building in your districts."))
        if "stair" in data:
            place["entrance"] = (
                selectors.public_entrance_list(district_id=district_id)
                .filter(pk=data.pop("stair"))
                .first()
            )
            if place["entrance"] is None:
                raise _field_error("stair", _("No such stair in the lab's district."))
        if "unit" in data:
            place["unit"] = territory_selectors.unit_get(user=user, pk=data.pop("unit"))
            if place["unit"] is None:
                raise _field_error("unit", _("No such unit in your districts."))
        if "resident" in data:
            data["resident"] = people_selectors.resident_get(user=user, pk=data["resident"])
            if data["resident"] is None:
                raise _field_error("resident", _("No such resident in your labs."))
        report = services.report_submit(
            actor=user, lab=category.lab, category=category, **place, **data
        )
        return _detail(request, report.pk, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: ReportDetailOutput, **error_responses(401, 403, 404)})
class ReportDetailApi(APIView):
    """One report with its history, public and internal comments and attachment list."""

    permission_classes = [CanViewReports]

    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


# --- Workflow steps -------------------------------------------------------------------------


class _ReportActionApi(APIView):
    """Validate the input, load the report in the user's scope, run one service."""

    input_serializer: ClassVar[type[serializers.Serializer]]

    def post(self, request: Request, pk: int) -> Response:
        form = self.input_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = _report_or_404(request, pk)
        self.perform(request, report, dict(form.validated_data))
        return _detail(request, pk)

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def handle_exception(self, exc: Exception) -> Response:
        # The body was valid: what refuses the step is the state of the report or of what the
        # body names (a closed target, no responsible organisation, the reopening window).
        if isinstance(exc, ApplicationError) and not isinstance(exc, _BadReferenceError):
            code = "invalid_transition" if isinstance(exc, InvalidTransitionError) else "conflict"
            body = {"code": code, "message": exc.message, "fields": exc.fields}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


def _action_schema(input_serializer: type[serializers.Serializer], summary: str) -> Any:
    return extend_schema(
        tags=TAGS,
        summary=summary,
        request=input_serializer,
        responses={200: ReportDetailOutput, **error_responses(400, 401, 403, 404), **CONFLICT},
    )


@_action_schema(ReportNoteInput, "Take a report in charge")
class ReportAcknowledgeApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportNoteInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_acknowledge(report=report, actor=request.user, note=data["note"])


@_action_schema(ReportForwardInput, "Forward a report to the organisation that must act")
class ReportForwardApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportForwardInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        organisation = None
        if data.get("organisation"):
            organisation = (
                accounts_selectors.organisation_list().filter(pk=data["organisation"]).first()
            )
            if organisation is None:
                raise _field_error("organisation", _("No such organisation."))
        services.report_forward(
            report=report, actor=request.user, organisation=organisation, note=data["note"]
        )


@_action_schema(ReportNoteInput, "Record that work has started")
class ReportStartApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportNoteInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_start(report=report, actor=request.user, note=data["note"])


@_action_schema(ReportResolveInput, "Mark a report resolved, saying what was done")
class ReportResolveApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportResolveInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_resolve(report=report, actor=request.user, resolution=data["resolution"])


@_action_schema(ReportNoteInput, "Close a resolved report")
class ReportCloseApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportNoteInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_close(report=report, actor=request.user, note=data["note"])


@_action_schema(ReportReasonInput, "Reject a report, with the reason the resident will read")
class ReportRejectApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportReasonInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_reject(report=report, actor=request.user, reason=data["reason"])


@_action_schema(ReportReasonInput, "Reopen a resolved or closed report within the window")
class ReportReopenApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportReasonInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        services.report_reopen(report=report, actor=request.user, reason=data["reason"])


@_action_schema(ReportMergeInput, "Merge a duplicate into another report of the same lab")
class ReportMergeApi(_ReportActionApi):
    permission_classes = [CanProcessReports]
    input_serializer = ReportMergeInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        into = selectors.report_get(user=request.user, pk=data["into"])
        if into is None:
            raise _field_error("into", _("No such report in your labs."))
        services.report_merge(report=report, actor=request.user, into=into)


@_action_schema(ReportAssignInput, "Assign a report to a member of the lab's staff")
class ReportAssignApi(_ReportActionApi):
    permission_classes = [CanAssignReports]
    input_serializer = ReportAssignInput

    def perform(self, request: Request, report: Report, data: dict[str, Any]) -> None:
        assignee = None
        if data["assignee"] is not None:
            staff = accounts_selectors.lab_staff_list(lab_id=report.lab_id)
            assignee = staff.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise _field_error("assignee", _("Not on the staff of the report's lab."))
        services.report_assign(report=report, actor=request.user, assignee=assignee)


@extend_schema(
    tags=TAGS,
    summary="Add a public reply or an internal note",
    request=ReportCommentInput,
    responses={201: CommentOutput, **error_responses(400, 401, 403, 404)},
)
class ReportCommentApi(APIView):
    permission_classes = [CanCommentReports]

    def post(self, request: Request, pk: int) -> Response:
        form = ReportCommentInput(data=request.data)
        form.is_valid(raise_exception=True)
        report = _report_or_404(request, pk)
        comment = services.report_comment_add(
            report=report, actor=request.user, **form.validated_data
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


ACTIONS = {
    "acknowledge": ReportAcknowledgeApi,
    "forward": ReportForwardApi,
    "start": ReportStartApi,
    "resolve": ReportResolveApi,
    "close": ReportCloseApi,
    "reject": ReportRejectApi,
    "reopen": ReportReopenApi,
    "merge": ReportMergeApi,
    "assign": ReportAssignApi,
}

urlpatterns = [
    path("", ReportListApi.as_view(), name="api_report_list"),
    path("<int:pk>/", ReportDetailApi.as_view(), name="api_report_detail"),
    path("<int:pk>/comments/", ReportCommentApi.as_view(), name="api_report_comment"),
    *(
        path(f"<int:pk>/{verb}/", view.as_view(), name=f"api_report_{verb}")
        for verb, view in ACTIONS.items()
    ),
]
