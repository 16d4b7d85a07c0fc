"""Page-number pagination that refuses bad page parameters with a 400 instead of a 404."""

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def _positive_int(request, name, default, maximum=None):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # isdigit() accepts only 0-9 here (the string is ASCII-checked), so "1e3", "-1" and " 2" are refused.
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: [f"“{raw}” is not a whole number of 1 or more."]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"At most {maximum}."]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most ``API_MAX_PAGE_SIZE``). The list's order always
    ends with the id, so a page never repeats or skips a row of its neighbour."""

    page_size_query_param = "page_size"
    page_size_query_description = "Number of results per page (1 to the maximum page size, default 50)."

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        return _positive_int(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive_int(request, self.page_query_param, 1)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            # The page number is checked against the count before any OFFSET is computed, so a
            # huge number never reaches the database.
            self.page = paginator.page(number)
        except InvalidPage:
            raise ValidationError(
                {self.page_query_param: [f"Page {number} does not exist: there are {paginator.num_pages} pages."]}
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
