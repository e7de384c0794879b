"""One pagination style for every list of the API (ON-02): `?page=N`, N a whole number from
1, 50 items a page, with `count`, `next`, `previous` and `results`. A page that is not a
whole number is refused (400) rather than read as the first; a page past the last is 404."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

_PAGE = re.compile(r"[1-9][0-9]{0,17}")


class PageNumbers(PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not _PAGE.fullmatch(raw):
            raise ValidationError(
                {self.page_query_param: [_("Give the page as a whole number from 1.")]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1, maximum=10**18 - 1)
        return parameters


def paged(view, items, serializer_class, **kwargs):
    """The paginated answer of a list that is not the view's own queryset (an action's list,
    a selector's rows): the same pages as every other list."""
    page = view.paginate_queryset(items)
    return view.get_paginated_response(serializer_class(page, many=True, **kwargs).data)
