"""Spreadsheet export from every admin list: *Export CSV* / *Export XLSX* beside *Add* export the
rows the list shows with its current filters, search and ordering (all pages). Up to
``EXPORT_INLINE_LIMIT`` rows come back at once; more are written by a background job."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from .. import spreadsheets
from ..jobs.export import export_job_queue
from .jobs import job_link


class SpreadsheetExportMixin:
    """Adds ``<list>/export/?format=csv|xlsx&<the list's filters>``."""

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_export"),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        request.GET = request.GET.copy()
        file_format = request.GET.pop("format", ["csv"])[-1]
        if file_format not in spreadsheets.FORMATS:
            return HttpResponseBadRequest("format must be csv or xlsx.")
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("The list's filters are not valid.")
        # The list's rows in its order (filters, search, sorting; all pages).
        ids = list(changelist.get_queryset(request).values_list("pk", flat=True))
        if len(ids) > settings.EXPORT_INLINE_LIMIT:
            job = export_job_queue(model=self.model, ids=ids, file_format=file_format, user=request.user)
            self.message_user(request, _queued_message(job), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:recommendations_job_change", args=[job.pk]))
        return spreadsheets.download_response(self.model, ids, file_format, request.user)


def _queued_message(job):
    return format_html(
        "{} rows are more than an export at once: {} writes the file in the background; download it from its "
        "page when it is done.",
        job.total,
        job_link(job),
    )
