"""Page-number pagination that refuses malformed paging parameters with a 400."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _positive_int(request: Any, name: str, maximum: int | None = None) -> None:
    raw = request.query_params.get(name)
    if raw is None:
        return
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        limit = f" between 1 and {maximum}" if maximum else " of 1 or more"
        raise ValidationError({name: [f"Use a whole number{limit}."]})


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"]["minimum"] = 1
            if param["name"] == self.page_size_query_param:
                param["schema"]["maximum"] = self.max_page_size
        return params

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        _positive_int(request, self.page_query_param)
        _positive_int(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)
