"""The Django admin as the curation tool. Writes that involve more than one row go through
``services``; list columns are fed by annotations and ``select_related`` so a page costs a fixed
number of queries however many rows it shows."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_upr_import import UprImportAdminMixin
from .forms import OptimisticLockForm, StatusUpdateWithCitationForm
from .models import (
    Actor,
    Citation,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    SourceDocument,
    StatusUpdate,
    Theme,
    normalize_whitespace,
)


def _change_link(obj, label=None):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or obj)


def _snippet(text, length=90):
    return Truncator(normalize_whitespace(text)).chars(length)


def _form_model_fields(form):
    """The cleaned values of the form's concrete, non-many-to-many model fields."""
    names = {f.name for f in form._meta.model._meta.concrete_fields}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def _report(model_admin, request, changed, total, done):
    noun = model_admin.model._meta.verbose_name_plural
    model_admin.message_user(request, f"{changed} of {total} selected {noun} {done}; the others already were.")


class ReviewedAdminMixin:
    """Shared by recommendations and status updates: drafts are marked; published rows are
    read-only for anyone who may not publish; a save is refused (and the editor told why) if the
    row changed since the form was opened; every change is in the history."""

    publish_permission = ""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.is_published:
            return request.user.has_perm(self.publish_permission)
        return allowed

    def has_publish_permission(self, request):
        return request.user.has_perm(self.publish_permission)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ConcurrentEditError as error:
            # Lost the race between the form's check and the save: the transaction rolled back.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except services.ConcurrentEditError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="review", ordering="review_state")
    def review(self, obj):
        return obj.get_review_state_display()


def _parent_is_editable(request, parent, publish_permission):
    return parent is None or not parent.is_published or request.user.has_perm(publish_permission)


class ParentReviewInlineMixin:
    """An inline under a published recommendation or status update is read-only for anyone who
    may not publish, like the row above it."""

    parent_publish_permission = ""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)

    def _parent_editable(self, request, parent):
        return _parent_is_editable(request, parent, self.parent_publish_permission)


class OverdueFilter(admin.SimpleListFilter):
    """Deadline passed without implementation (derived from the deadline and the current status)."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


class HasDeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "has_deadline"

    def lookups(self, request, model_admin):
        return [("yes", "Has a deadline"), ("no", "No deadline")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(due_on__isnull=self.value() == "no")
        return queryset


class StateUnderReviewFilter(admin.SimpleListFilter):
    """The state a recommendation is addressed to (or to one of its country's actors). Lists only
    states that have received something, with one EXISTS query, so it stays short and cheap
    however many states the tracker knows."""

    title = "state under review"
    parameter_name = "state_under_review"

    def lookups(self, request, model_admin):
        received = Recommendation.objects.filter(addressed_to=OuterRef("pk"))
        return list(
            Actor.objects.filter(kind=Actor.Kind.STATE)
            .filter(Exists(received))
            .order_by("name")
            .values_list("slug", "name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.for_state_under_review(self.value())
        return queryset


class UprActionCategoryFilter(admin.SimpleListFilter):
    """UPR Info's action categories, with the meaning of each number."""

    title = "UPR action category"
    parameter_name = "upr_action_category"
    CATEGORIES = [
        ("1", "1 – addressed to other states or asks for assistance"),
        ("2", "2 – continue an action"),
        ("3", "3 – consider an action"),
        ("4", "4 – general action"),
        ("5", "5 – specific action"),
    ]

    def lookups(self, request, model_admin):
        return self.CATEGORIES

    def queryset(self, request, queryset):
        if self.value() in dict(self.CATEGORIES):
            return queryset.filter(upr_action_category=int(self.value()))
        return queryset


@admin.register(SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["external_id", "title", "publisher", "document_type", "published", "citation_count"]
    list_filter = [
        "document_type",
        "language",
        "published_on_basis",
        ("published_on", DateRangeFilterBuilder(title="published between")),
    ]
    search_fields = ["external_id", "title", "publisher", "url"]
    readonly_fields = ["text_sha256", "cited_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["external_id", "title", "publisher", "document_type", "url", "language"]}),
        ("Date", {"fields": ["published_on", "published_on_precision", "published_on_basis", "date_note"]}),
        ("Text", {"fields": ["text", "text_sha256"]}),
        ("Cited by", {"fields": ["cited_by"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # A grouped query drops the model's default ordering: restate it so pages stay stable.
        queryset = super().get_queryset(request).annotate(citation_total=Count("citations"))
        return queryset.order_by(*SourceDocument._meta.ordering)

    @admin.display(description="published", ordering="published_on")
    def published(self, obj):
        basis = " (inferred)" if obj.published_on_basis == "inferred" else ""
        return f"{obj.published_on_display}{basis}" if obj.published_on else "—"

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total

    CITED_BY_LIMIT = 200

    @admin.display(description="everything that cites this document")
    def cited_by(self, obj):
        if obj.pk is None:
            return "—"
        citations = list(
            obj.citations.select_related("recommendation", "status_update__recommendation").order_by("id")[
                : self.CITED_BY_LIMIT + 1
            ]
        )
        if not citations:
            return "Nothing cites this document yet."
        rows = []
        for citation in citations[: self.CITED_BY_LIMIT]:
            if citation.recommendation_id:
                target = _change_link(citation.recommendation)
                what = citation.recommendation.get_kind_display().split(" (")[0]
            else:
                update = citation.status_update
                target = format_html(
                    "{} — {}", _change_link(update, f"status {update}"), _change_link(update.recommendation)
                )
                what = "Status update"
            rows.append((what, target, _snippet(citation.quote), citation.location or ""))
        table = format_html(
            "<table><thead><tr><th>cited by</th><th>item</th><th>quote</th><th>where</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>“{}”</td><td>{}</td></tr>", rows),
        )
        if len(citations) > self.CITED_BY_LIMIT:
            url = reverse("admin:recommendations_citation_changelist") + f"?document__id__exact={obj.pk}"
            table = format_html('{}<p><a href="{}">All citations of this document…</a></p>', table, url)
        return table


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "part_of"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["part_of"]
    autocomplete_fields = ["part_of"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "recommendation_count"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))
        return queryset.order_by(*Theme._meta.ordering)

    @admin.display(description="recommendations", ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total


@admin.register(LegalProvision)
class LegalProvisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "instrument", "article", "country", "title", "recommendation_count"]
    list_filter = ["country"]
    search_fields = ["instrument", "article", "title", "slug"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))
        return queryset.order_by(*LegalProvision._meta.ordering)

    @admin.display(description="recommendations", ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total


class RecommendationCitationInline(ParentReviewInlineMixin, admin.TabularInline):
    """The recommendation's own evidence; each quote is checked against its document on save."""

    model = Citation
    fk_name = "recommendation"
    fields = ["document", "quote", "location"]
    autocomplete_fields = ["document"]
    extra = 0
    verbose_name = "citation (evidence for the recommendation itself)"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION


class StatusHistoryInline(admin.TabularInline):
    """The dated status history, newest first. Read-only here: recording goes through the
    status update form so that each one comes with its evidence."""

    model = StatusUpdate
    fk_name = "recommendation"
    fields = ["as_of_display", "status", "review_state", "assessor_kind", "assessed_by", "summary_snippet", "evidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "status history (newest first; drafts do not count until published)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("assessed_by")
            .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("document")))
            .latest_first()
        )

    @admin.display(description="as of")
    def as_of_display(self, obj):
        return obj.as_of_display

    @admin.display(description="summary")
    def summary_snippet(self, obj):
        return _snippet(obj.summary, 160)

    @admin.display(description="evidence")
    def evidence(self, obj):
        return format_html_join(
            "",
            "<div>“{}” — <i>{}</i></div>",
            ((_snippet(c.quote, 120), c.document.external_id) for c in obj.citations.all()),
        )


class RecommendationLinkInline(ParentReviewInlineMixin, admin.TabularInline):
    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ["relation", "to_recommendation", "note"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = "link to a related recommendation"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", "Not archived"), ("yes", "Archived")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(archived_at__isnull=self.value() == "no")
        return queryset


class RecommendationForm(OptimisticLockForm):
    class Meta:
        model = Recommendation
        fields = "__all__"  # the admin's fieldsets choose what is shown


@admin.register(Recommendation)
class RecommendationAdmin(UprImportAdminMixin, ReviewedAdminMixin, SimpleHistoryAdmin):
    form = RecommendationForm
    publish_permission = services.PUBLISH_RECOMMENDATION
    list_display = [
        "title",
        "kind",
        "made_by",
        "addressed_to",
        "made",
        "due",
        "current_status",
        "current_status_as_of",
        "overdue",
        "theme_list",
        "review",
    ]
    list_filter = [
        "review_state",
        ArchivedFilter,
        "kind",
        "current_status",
        OverdueFilter,
        HasDeadlineFilter,
        "mechanism",
        StateUnderReviewFilter,
        "state_response",
        "upr_cycle",
        "upr_session",
        UprActionCategoryFilter,
        "themes",
        "legal_provisions",
        ("made_by", admin.RelatedFieldListFilter),
        # Only actors that were addressed: the full list holds every recommending state too.
        ("addressed_to", admin.RelatedOnlyFieldListFilter),
        ("made_on", DateRangeFilterBuilder(title="made between")),
        ("due_on", DateRangeFilterBuilder(title="due between")),
        ("current_status_as_of", DateRangeFilterBuilder(title="status dated between")),
    ]
    search_fields = ["title", "text", "context", "external_id", "made_by__name"]
    list_select_related = ["made_by", "addressed_to"]
    autocomplete_fields = ["made_by", "addressed_to", "themes", "legal_provisions"]
    readonly_fields = [
        "current_status",
        "current_status_as_of",
        "overdue",
        "add_status_update",
        "review_state",
        "published_at",
        "published_by",
        "archived_at",
        "archived_by",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [RecommendationCitationInline, StatusHistoryInline, RecommendationLinkInline]
    actions = ["publish", "unpublish", "archive", "restore"]
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["kind", "title", "text", "made_by", "addressed_to", "expected_version"]}),
        (
            "Where and when",
            {
                "fields": [
                    "mechanism",
                    "context",
                    ("made_on", "made_on_precision"),
                    ("due_on", "due_on_precision"),
                    "state_response",
                ]
            },
        ),
        ("UPR", {"fields": ["upr_session", "upr_cycle", "upr_action_category"], "classes": ["collapse"]}),
        ("Subject", {"fields": ["themes", "legal_provisions"]}),
        (
            "Status (derived from the published history below)",
            {"fields": ["current_status", "current_status_as_of", "overdue", "add_status_update"]},
        ),
        (
            "Review",
            {"fields": ["review_state", "published_at", "published_by", "archived_at", "archived_by", "version"]},
        ),
        ("Record", {"fields": ["external_id", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    def has_delete_permission(self, request, obj=None):
        return False  # recommendations are archived, never deleted

    def has_archive_permission(self, request):
        return request.user.has_perm(services.ARCHIVE_RECOMMENDATION)

    @admin.display(description="made", ordering="made_on")
    def made(self, obj):
        return obj.made_on_display or "—"

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return obj.due_on_display or "—"

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue() if obj.pk else None

    @admin.display(description="themes")
    def theme_list(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description="review", ordering="review_state")
    def review(self, obj):
        return "Archived" if obj.archived_at else obj.get_review_state_display()

    @admin.display(description="new assessment")
    def add_status_update(self, obj):
        if obj.pk is None:
            return "Save the recommendation first."
        url = reverse("admin:recommendations_statusupdate_add") + f"?recommendation={obj.pk}"
        return format_html('<a class="addlink" href="{}">Record a status update with its evidence</a>', url)

    def save_model(self, request, obj, form, change):
        fields = _form_model_fields(form)
        if not change:
            created = services.recommendation_create(user=request.user, **fields)
            # The admin saves the many-to-many fields and inlines against the form's instance next.
            obj.pk, obj.version, obj._state.adding = created.pk, created.version, False
            return
        # Change the row as it is in the database: a revert form's instance carries historical
        # values of fields the form does not show (review state, archive, version).
        current = Recommendation.objects.get(pk=obj.pk)
        services.recommendation_change(
            recommendation=current,
            expected_version=form.cleaned_data["expected_version"],
            user=request.user,
            **fields,
        )
        obj.version = current.version

    @admin.action(description="Publish selected recommendations", permissions=["publish"])
    def publish(self, request, queryset):
        changed = sum(services.recommendation_publish(recommendation=r, user=request.user) for r in queryset)
        _report(self, request, changed, len(queryset), "published")

    @admin.action(description="Withdraw selected recommendations to draft", permissions=["publish"])
    def unpublish(self, request, queryset):
        changed = sum(services.recommendation_unpublish(recommendation=r, user=request.user) for r in queryset)
        _report(self, request, changed, len(queryset), "withdrawn to draft")

    @admin.action(description="Archive selected recommendations", permissions=["archive"])
    def archive(self, request, queryset):
        changed = sum(services.recommendation_archive(recommendation=r, user=request.user) for r in queryset)
        _report(self, request, changed, len(queryset), "archived")

    @admin.action(description="Restore selected recommendations from the archive", permissions=["archive"])
    def restore(self, request, queryset):
        changed = sum(services.recommendation_restore(recommendation=r, user=request.user) for r in queryset)
        _report(self, request, changed, len(queryset), "restored")


class StatusUpdateCitationInline(ParentReviewInlineMixin, admin.TabularInline):
    model = Citation
    fk_name = "status_update"
    fields = ["document", "quote", "location"]
    autocomplete_fields = ["document"]
    extra = 0
    min_num = 1
    validate_min = True  # a status update never loses its last piece of evidence
    verbose_name = "citation (evidence)"
    parent_publish_permission = services.PUBLISH_STATUS_UPDATE


class StatusUpdateChangeForm(OptimisticLockForm):
    class Meta:
        model = StatusUpdate
        fields = "__all__"


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReviewedAdminMixin, SimpleHistoryAdmin):
    """Adding uses one form (status + its first citation) that calls ``status_update_record``;
    changes and deletions go through the service too, so the current status stays in step."""

    form = StatusUpdateChangeForm
    publish_permission = services.PUBLISH_STATUS_UPDATE
    list_display = [
        "recommendation",
        "status",
        "as_of_date",
        "assessor_kind",
        "assessed_by",
        "review",
        "recorded_by",
        "created_at",
    ]
    list_filter = [
        "review_state",
        "status",
        "assessor_kind",
        "recommendation__kind",
        ("as_of", DateRangeFilterBuilder(title="as of between")),
        ("assessed_by", admin.RelatedFieldListFilter),
    ]
    search_fields = ["summary", "recommendation__title", "recommendation__external_id"]
    list_select_related = ["recommendation", "assessed_by", "recorded_by"]
    autocomplete_fields = ["recommendation", "assessed_by"]
    readonly_fields = [
        "review_state",
        "published_at",
        "published_by",
        "version",
        "recorded_by",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "unpublish", "delete_selected"]
    show_full_result_count = False
    date_hierarchy = "as_of"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "recommendation",
                    "status",
                    ("as_of", "as_of_precision"),
                    "summary",
                    "assessor_kind",
                    "assessed_by",
                    "expected_version",
                ]
            },
        ),
        ("Review", {"fields": ["review_state", "published_at", "published_by", "version"]}),
        ("Record", {"fields": ["recorded_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="as of", ordering="as_of")
    def as_of_date(self, obj):
        return obj.as_of_display

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and obj.is_published:
            return request.user.has_perm(self.publish_permission)
        return allowed

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StatusUpdateWithCitationForm
            kwargs["fields"] = [*StatusUpdateWithCitationForm.Meta.fields, "document", "quote", "location"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            site = self.admin_site

            class WithAutocomplete(form):
                def __init__(self, *args, **inner):
                    super().__init__(*args, admin_site=site, **inner)

            return WithAutocomplete
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "recommendation",
                            "status",
                            ("as_of", "as_of_precision"),
                            "summary",
                            "assessor_kind",
                            "assessed_by",
                        ]
                    },
                ),
                (
                    "Evidence",
                    {
                        "fields": ["document", "quote", "location"],
                        "description": "The quote must occur in the document's text.",
                    },
                ),
            ]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return [StatusUpdateCitationInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            current = StatusUpdate.objects.select_related("recommendation").get(pk=obj.pk)
            services.status_update_change(
                status_update=current,
                expected_version=form.cleaned_data["expected_version"],
                user=request.user,
                **_form_model_fields(form),
            )
            obj.version = current.version
            return
        data = form.cleaned_data
        created = services.status_update_record(
            recommendation=data["recommendation"],
            status=data["status"],
            as_of=data["as_of"],
            as_of_precision=data["as_of_precision"],
            summary=data["summary"],
            assessor_kind=data["assessor_kind"],
            assessed_by=data["assessed_by"],
            citations=[form.citation_input()],
            recorded_by=request.user,
        )
        # The admin goes on to log the addition and redirect using the form's instance.
        obj.pk, obj.recorded_by = created.pk, created.recorded_by
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # On add, the service has already saved the citation; there are no inlines to save.

    def delete_model(self, request, obj):
        services.status_update_delete(status_update=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for status_update in queryset.select_related("recommendation"):
            services.status_update_delete(status_update=status_update, user=request.user)
        messages.info(request, "Current statuses were recalculated from the remaining published history.")

    @admin.action(description="Publish selected status updates", permissions=["publish"])
    def publish(self, request, queryset):
        changed = sum(
            services.status_update_publish(status_update=u, user=request.user)
            for u in queryset.select_related("recommendation")
        )
        _report(self, request, changed, len(queryset), "published")

    @admin.action(description="Withdraw selected status updates to draft", permissions=["publish"])
    def unpublish(self, request, queryset):
        changed = sum(
            services.status_update_unpublish(status_update=u, user=request.user)
            for u in queryset.select_related("recommendation")
        )
        _report(self, request, changed, len(queryset), "withdrawn to draft")


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["quote_snippet", "document", "location", "cites"]
    list_filter = ["document__document_type", ("document", admin.RelatedFieldListFilter)]
    search_fields = ["quote", "document__external_id", "document__title", "recommendation__title"]
    list_select_related = ["document", "recommendation", "status_update__recommendation"]
    autocomplete_fields = ["document", "recommendation", "status_update"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False

    def _parent_editable(self, request, obj):
        if obj is None:
            return True
        if obj.status_update_id:
            return _parent_is_editable(request, obj.status_update, services.PUBLISH_STATUS_UPDATE)
        return _parent_is_editable(request, obj.recommendation, services.PUBLISH_RECOMMENDATION)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)

    @admin.display(description="quote")
    def quote_snippet(self, obj):
        return f"“{_snippet(obj.quote)}”"

    @admin.display(description="evidence for")
    def cites(self, obj):
        if obj.recommendation_id:
            return _change_link(obj.recommendation)
        return format_html("status update on {}", _change_link(obj.status_update.recommendation))


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(admin.ModelAdmin):
    list_display = ["from_recommendation", "relation", "to_recommendation"]
    list_filter = ["relation"]
    search_fields = ["from_recommendation__title", "to_recommendation__title", "note"]
    list_select_related = ["from_recommendation", "to_recommendation"]
    autocomplete_fields = ["from_recommendation", "to_recommendation"]
