"""The admin's derived list filters (overdue, deadline, state under review, UPR category, archived)."""

from django.contrib import admin
from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef
from unfold.contrib.filters.admin import DropdownFilter

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


class CachedValuesDropdownFilter(DropdownFilter):
    """A dropdown of the distinct values of a whole-number field. Finding them reads the whole
    table (~25 ms per field at 20,000 rows, on every page of the list), so they are cached, keyed
    by the newest row's id (one primary-key lookup): rows added (an import) show at once, a value
    changed on an existing row within ``cache_seconds``."""

    field_name = ""
    cache_seconds = 300

    def lookups(self, request, model_admin):
        newest = model_admin.model.objects.aggregate(newest=Max("pk"))["newest"]
        key = f"admin-filter-values:{model_admin.model._meta.label}:{self.field_name}:{newest}"
        values = cache.get(key)
        if values is None:
            column = model_admin.model.objects.exclude(**{f"{self.field_name}__isnull": True})
            values = list(column.order_by(self.field_name).values_list(self.field_name, flat=True).distinct())
            cache.set(key, values, self.cache_seconds)
        return [(str(value), str(value)) for value in values]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        # Not a whole number: no row has it (rather than a database error).
        return queryset.filter(**{self.field_name: int(value)}) if value.isdigit() else queryset.none()


class UprCycleFilter(CachedValuesDropdownFilter):
    title = "UPR cycle"
    parameter_name = field_name = "upr_cycle"


class UprSessionFilter(CachedValuesDropdownFilter):
    title = "UPR session"
    parameter_name = field_name = "upr_session"


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
