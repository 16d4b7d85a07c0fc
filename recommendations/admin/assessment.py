"""Bulk assessment in the admin: select recommendations in the list (any filters, "select all"),
choose *Record one status update for all selected…*, fill in one status, date, summary and
supporting quote; each selected recommendation gets that status update, as a draft. Up to
``JOBS_INLINE_LIMIT`` at once, more by a background job."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from ..forms import StatusUpdateWithCitationForm
from ..jobs.assessment import assessment_queue, assessment_record
from ..permissions import ADD_STATUS_UPDATE
from .jobs import is_large, message_queued


class BulkAssessmentForm(StatusUpdateWithCitationForm):
    """The status update form without the recommendation: it is recorded for each selected one."""

    class Meta(StatusUpdateWithCitationForm.Meta):
        fields = [name for name in StatusUpdateWithCitationForm.Meta.fields if name != "recommendation"]
        widgets = {"as_of": forms.DateInput(attrs={"type": "date"})}


class BulkAssessmentMixin:
    """Adds the ``assess`` action to the recommendations' list."""

    def has_assess_permission(self, request):
        return request.user.has_perm(ADD_STATUS_UPDATE)

    @admin.action(description="Record one status update for all selected recommendations…", permissions=["assess"])
    def assess(self, request, queryset):
        form = BulkAssessmentForm(
            request.POST if "apply_assessment" in request.POST else None, admin_site=self.admin_site
        )
        count = queryset.count()
        if form.is_bound and form.is_valid():
            fields = {name: form.cleaned_data[name] for name in BulkAssessmentForm.Meta.fields}
            try:
                if is_large(queryset):
                    ids = list(queryset.values_list("pk", flat=True))
                    job = assessment_queue(ids=ids, fields=fields, citation=form.citation_input(), user=request.user)
                    message_queued(self, request, job)
                else:
                    recorded = assessment_record(
                        recommendations=list(queryset), fields=fields, citation=form.citation_input(), user=request.user
                    )
                    self.message_user(
                        request,
                        (
                            "Recorded a draft status update for the 1 selected recommendation; a reviewer publishes it."
                            if len(recorded) == 1
                            else f"Recorded a draft status update for each of the {len(recorded)} selected "
                            "recommendations; a reviewer publishes them."
                        ),
                        messages.SUCCESS,
                    )
                return None
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                form.add_error(None, text)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Record one status update for {count} recommendations",
            "form": form,
            "media": self.media + form.media,
            "count": count,
            "sample": list(queryset[:10]),
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/recommendations/recommendation/assess.html", context)
