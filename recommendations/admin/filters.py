"""The admin's derived list filters (overdue, deadline, state under review, UPR category, archived)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from unfold.contrib.filters.admin import DropdownFilter

from ..importers.sessions import UPR_CYCLES, sessions
from ..models import (
    Actor,
    Recommendation,
)


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


class StateUnderReviewFilter(DropdownFilter):
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


class UprActionCategoryFilter(DropdownFilter):
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


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", "Not archived"), ("yes", "Archived")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(archived_at__isnull=self.value() == "no")
        return queryset


class MineFilter(admin.SimpleListFilter):
    """Rows the logged-in user added (recommendations) or recorded (status updates): "my drafts"."""

    title = "added by"
    parameter_name = "mine"
    user_field = "created_by"

    def lookups(self, request, model_admin):
        return [("yes", "Me")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(**{self.user_field: request.user})
        return queryset


class RecordedByMeFilter(MineFilter):
    title = "recorded by"
    user_field = "recorded_by"


class UprCalendarFilter(admin.AllValuesFieldListFilter):
    """``upr_cycle``/``upr_session`` offered from the UPR calendar (importers/sessions.py) rather
    than Django's ``SELECT DISTINCT`` over every recommendation, which read the whole table on
    each changelist view (0.7–0.8 s apiece at a million rows). Same parameters, same filtering."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        if field.name == "upr_cycle":
            self.lookup_choices = [cycle for cycle, _, _ in UPR_CYCLES]
        else:
            self.lookup_choices = sorted(sessions())
