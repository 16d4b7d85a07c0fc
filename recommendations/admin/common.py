"""Helpers and mixins shared by the admin's model families: links, snippets, action reports and
the review rules (published rows read-only for non-reviewers, lost updates refused)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import permissions, services
from ..models import (
    InternalNote,
    normalize_whitespace,
)
from .theme import TabularInline


def change_link(obj, label=None):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or obj)


def counted(count, singular, plural=None):
    """ "1 recommendation", "3 recommendations": a count with its noun agreeing."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def snippet(text, length=90):
    return Truncator(normalize_whitespace(text)).chars(length)


def form_model_fields(form):
    """The cleaned values of the form's concrete, non-many-to-many model fields."""
    names = {f.name for f in form._meta.model._meta.concrete_fields}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def editable_by(request, reviewed, publish_permission):
    """Published rows are public: only someone who may publish changes or removes them, or what
    hangs under them. ``reviewed`` is None for a row not yet saved."""
    return reviewed is None or not reviewed.is_published or request.user.has_perm(publish_permission)


def review_action(model_admin, request, queryset, service, done, job_kind=None):
    """An admin action that runs a review service (publish, withdraw, archive, restore) on each
    selected row and says how many changed. The selection is read, and counted, before acting:
    acting can take rows out of the changelist's filter (publishing drafts listed as drafts).
    A selection larger than ``JOBS_INLINE_LIMIT`` is handed to a background job (``job_kind``)
    that runs the same service on each row."""
    from .jobs import is_large, queue_review_job

    if job_kind is not None and is_large(queryset):
        queue_review_job(model_admin, request, queryset, job_kind)
        return
    selected = list(queryset)
    changed = sum(service(**{model_admin.review_argument: row}, user=request.user) for row in selected)
    opts = model_admin.model._meta
    noun = opts.verbose_name if len(selected) == 1 else opts.verbose_name_plural
    others = ""
    if changed < len(selected):
        others = "; it already was" if len(selected) == 1 else "; the others already were"
    model_admin.message_user(request, f"{changed} of {len(selected)} selected {noun} {done}{others}.")


class ReviewedAdminMixin:
    """Shared by recommendations and status updates: drafts are marked; published rows are
    read-only (and cannot be deleted) for anyone who may not publish; a save is refused (and the
    editor told why) if the row changed since the form was opened; every change is in the history."""

    publish_permission = ""
    review_argument = ""  # the review services' keyword for the row

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and editable_by(request, obj, self.publish_permission)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and editable_by(request, obj, self.publish_permission)

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


@admin.display(description="confirmed by the reviewer")
def citation_confirmation(citation):
    """Who confirmed, when publishing, that the quote supports the claim."""
    if citation.pk is None or citation.confirmed_at is None:
        return "not yet (confirmed when a reviewer publishes)"
    who = citation.confirmed_by or citation.confirmed_by_process or "—"
    return f"{who}, {citation.confirmed_at:%d %B %Y}"


class CitationConfirmationInlineMixin:
    """Shows on each citation whether and by whom it was confirmed."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "confirmation"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "confirmation"]

    @admin.display(description="confirmed")
    def confirmation(self, obj):
        return citation_confirmation(obj)


class ParentReviewMixin:
    """What hangs under a published recommendation or status update (its inlines, its citations)
    is read-only for anyone who may not publish, like the row above it."""

    parent_publish_permission = ""

    def reviewed_parent(self, obj):
        """The reviewed row that decides, and the permission that publishes it. For an inline,
        ``obj`` is that row itself."""
        return obj, self.parent_publish_permission

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)

    def _parent_editable(self, request, obj):
        return editable_by(request, *self.reviewed_parent(obj))


class ParentReviewInlineMixin(ParentReviewMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)


class InternalNoteInline(TabularInline):
    """Staff-only notes under a recommendation or a status update: anyone who may add a note writes
    one here (in their name, with the time); notes are kept as written. Never in the public API."""

    model = InternalNote
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0
    can_delete = False
    verbose_name = "internal note (staff only, never public)"
    verbose_name_plural = "internal notes (staff only, never public)"

    def has_change_permission(self, request, obj=None):
        return False  # a note stays as written; add another one

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(permissions.ADD_INTERNAL_NOTE)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(permissions.VIEW_INTERNAL_NOTE)


class InternalNotesAdminMixin:
    """Saves the notes of an ``InternalNoteInline`` through the service, in the user's name."""

    note_parent_field = ""  # "recommendation" or "status_update"

    def save_formset(self, request, form, formset, change):
        if formset.model is InternalNote:
            save_internal_notes(request, formset, self.note_parent_field)
            return
        super().save_formset(request, form, formset, change)


def save_internal_notes(request, formset, parent_field):
    """Save the new notes of an ``InternalNoteInline`` formset through the service, in the user's name."""
    added = []
    for form in formset.extra_forms:
        if form.has_changed() and form.is_valid() and form.cleaned_data.get("text"):
            added.append(
                services.internal_note_add(
                    text=form.cleaned_data["text"], user=request.user, **{parent_field: formset.instance}
                )
            )
    # What the admin's change message ("Added internal note …") reads from a saved formset.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []


class ChosenLabel(forms.Widget):
    """The object a saved inline row points to, as text: no autocomplete to fill, so no query per row."""

    def __init__(self, chosen):
        super().__init__()
        self.chosen = chosen

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<div class="readonly">{}</div>', self.chosen)


class FixedTargetInlineForm(forms.ModelForm):
    """An inline row whose ``fixed_fields`` (foreign keys) are chosen when it is added and then
    shown as text: an autocomplete per saved row costs a query each (the selected option's label),
    and what a citation quotes or a link points to is replaced by adding another row, not edited."""

    fixed_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name in self.fixed_fields:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].widget = ChosenLabel(getattr(self.instance, name))
