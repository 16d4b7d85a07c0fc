"""The publish screen: before a reviewer publishes status updates or recommendations, each quote
is shown beside the claim it is evidence for, and the reviewer either confirms that every quote
supports its claim (publishing the row) or marks the quotes that do not, which sends the row
back to its editor with a note. Used by the "Publish selected …" actions and by "Review and
publish…" on a change page; the rules are the services'."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import services
from ..models import Citation, StatusUpdate


class ReviewRow:
    """One row on the publish screen: the claim, its citations, what the reviewer chose."""

    def __init__(self, instance, data=None):
        self.instance = instance
        self.citations = list(instance.citations.all())
        self.is_status_update = isinstance(instance, StatusUpdate)
        data = data or {}
        self.note = data.get(f"note-{instance.pk}", "")
        self.rejected = [c for c in self.citations if data.get(f"reject-{c.pk}") == "on"]
        self.rejected_ids = {c.pk for c in self.rejected}
        shown = data.get(f"evidence-{instance.pk}")
        self.citations_seen = {int(pk) for pk in shown.split(",") if pk.isdigit()} if shown is not None else None
        self.error = ""

    @property
    def evidence_ids(self):
        return ",".join(str(c.pk) for c in self.citations)

    @property
    def claim_title(self):
        return self.instance.recommendation.title if self.is_status_update else self.instance.title


class PublishReviewMixin:
    """Adds the publish screen to a ``ReviewedAdminMixin`` admin. Subclasses set the services."""

    review_template = "admin/recommendations/publish_review.html"
    publish_service = None  # e.g. staticmethod(services.status_update_publish)
    send_back_service = None
    review_argument = ""  # the services' keyword for the row: "status_update" or "recommendation"
    publish_job_kind = None  # the background job that publishes a large selection

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_review",
            )
        ]
        return urls + super().get_urls()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.sent_back_note:
            # The reviewer's note first, where the editor sees it.
            return [("Sent back by a reviewer", {"fields": ["sent_back"]}), *fieldsets]
        return fieldsets

    def review_queryset(self, request):
        citations = Citation.objects.select_related("document").order_by("id")
        queryset = self.model._default_manager.prefetch_related(Prefetch("citations", queryset=citations))
        if self.model is StatusUpdate:
            queryset = queryset.select_related("recommendation", "recorded_by", "assessed_by")
        else:
            queryset = queryset.select_related("created_by", "made_by", "addressed_to")
        return queryset

    @admin.display(description="review")
    def review_link(self, obj):
        if obj.pk is None or obj.is_published:
            return "—"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">Review the evidence and publish…</a>', url)

    @admin.display(description="sent back by a reviewer")
    def sent_back(self, obj):
        if not obj.sent_back_note:
            return "—"
        when = obj.sent_back_at.strftime("%d %B %Y %H:%M") if obj.sent_back_at else ""
        return format_html("<div>{}</div><div><i>{} {}</i></div>", obj.sent_back_note, obj.sent_back_by or "", when)

    def review_view(self, request, object_id):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        instance = self.review_queryset(request).filter(pk=object_id).first()
        if instance is None:
            self.message_user(request, "It no longer exists.", messages.ERROR)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[instance.pk])
        return self.review_response(request, [instance], done_url=change_url, action_url=request.path)

    def publish(self, request, queryset):
        """The action: first the publish screen, then (its form posted back) publish or send back.
        A selection too large for one screen is published by a background job once the reviewer
        confirms it on a page saying what publishing means."""
        from .jobs import confirm_bulk_response, is_large, queue_review_job

        if self.publish_job_kind and is_large(queryset):
            if request.POST.get("confirm_bulk") == "yes":
                queue_review_job(self, request, queryset, self.publish_job_kind)
                return None
            noun = self.opts.verbose_name_plural
            return confirm_bulk_response(
                self,
                request,
                queryset,
                action="publish",
                title=f"Publish {queryset.count()} {noun}",
                explanation=(
                    f"Publishing confirms, in your name, that each quote cited by these {noun} supports its claim, "
                    "as the publish screen does one row at a time. Rows you wrote yourself are refused (another "
                    "reviewer must publish them) unless self-review is allowed."
                ),
            )
        rows = list(self.review_queryset(request).filter(pk__in=queryset.values("pk")))
        return self.review_response(request, rows, done_url=request.get_full_path(), action_url="")

    def review_response(self, request, instances, *, done_url, action_url):
        confirmed = request.method == "POST" and request.POST.get("review") == "done"
        rows = [ReviewRow(instance, request.POST if confirmed else None) for instance in instances]
        if confirmed and self._valid(rows):
            self._apply(request, rows)
            return HttpResponseRedirect(done_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review the evidence and publish {self.opts.verbose_name_plural}",
            "rows": rows,
            "action_url": action_url,
            "selected": [row.instance.pk for row in rows],
        }
        return TemplateResponse(request, self.review_template, context)

    @staticmethod
    def _valid(rows):
        for row in rows:
            if row.rejected and not row.note.strip():
                row.error = "Say why the marked quotes do not support the claim, for the editor."
        return not any(row.error for row in rows)

    def _apply(self, request, rows):
        published = sent_back = already = 0
        for row in rows:
            instance = row.instance
            if instance.is_published and not row.rejected:
                already += 1
                continue
            try:
                if row.rejected:
                    self.send_back_service(
                        **{self.review_argument: instance}, user=request.user, note=row.note, citations=row.rejected
                    )
                    sent_back += 1
                else:
                    self.publish_service(
                        **{self.review_argument: instance}, user=request.user, citations_seen=row.citations_seen
                    )
                    published += 1
            except (PermissionDenied, ValidationError, services.ConcurrentEditError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"“{instance}”: {text}", messages.ERROR)
        noun, total = self.opts.verbose_name_plural, len(rows)
        summary = f"Of {total} {noun if total != 1 else self.opts.verbose_name}: {published} published"
        if sent_back:
            summary += f", {sent_back} sent back to the editor"
        if already:
            summary += f", {already} already published"
        self.message_user(request, summary + ".", messages.SUCCESS if published or sent_back else messages.WARNING)
