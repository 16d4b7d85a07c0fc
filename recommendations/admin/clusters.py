"""Clusters of repeated asks in the admin: the *Clusters* list and page (members with their
statuses, a status update for the whole cluster), grouping from the recommendations' list, and
on a recommendation's page the most similar others to confirm into its cluster."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import clusters
from ..models import Cluster, Recommendation
from ..permissions import CHANGE_RECOMMENDATION
from .common import counted
from .exports import SpreadsheetExportMixin
from .theme import ModelAdmin, TabularInline


class MemberInline(TabularInline):
    """The cluster's members with their statuses (grouping is done from the recommendations)."""

    model = Recommendation
    fk_name = "cluster"
    fields = ["title", "made_by", "made", "upr_cycle", "current_status", "current_status_as_of", "review_state"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "member"
    verbose_name_plural = "members (the same ask)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("made_by")

    @admin.display(description="made")
    def made(self, obj):
        return obj.made_on_display or "—"


@admin.register(Cluster)
class ClusterAdmin(SpreadsheetExportMixin, ModelAdmin):
    list_display = ["name", "member_count", "statuses"]
    search_fields = ["name", "description"]
    fields = ["name", "description", "assess_all"]
    readonly_fields = ["assess_all"]
    inlines = [MemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members")).prefetch_related("members")

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description="statuses")
    def statuses(self, obj):
        counts = {}
        for member in obj.members.all():
            label = member.get_current_status_display() or "not assessed"
            counts[label] = counts.get(label, 0) + 1
        return ", ".join(f"{label}: {count}" for label, count in sorted(counts.items()))

    @admin.display(description="status update for the whole cluster")
    def assess_all(self, obj):
        if obj.pk is None:
            return "Save the cluster first."
        url = reverse("admin:recommendations_recommendation_changelist") + f"?cluster__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">List its members</a>, select all, and choose the action '
            "<em>Record one status update for all selected recommendations…</em>",
            url,
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = clusters.cluster_create(name=obj.name, description=obj.description, user=request.user)
        obj.pk = created.pk
        obj._state.adding = False


class GroupForm(forms.Form):
    cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.all(), required=False, help_text="An existing cluster to add them to…"
    )
    name = forms.CharField(
        required=False, max_length=200, help_text="…or the name of a new cluster: the ask in a few words."
    )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("cluster")) == bool((cleaned.get("name") or "").strip()):
            raise ValidationError("Choose an existing cluster or name a new one (not both).")
        return cleaned


def group(model_admin, request, recommendations, form):
    """Apply a valid ``GroupForm`` to ``recommendations``; returns the cluster (or None, with the
    reason added to the form)."""
    try:
        if form.cleaned_data["cluster"]:
            cluster = form.cleaned_data["cluster"]
            clusters.cluster_add(cluster=cluster, recommendations=recommendations, user=request.user)
        else:
            cluster = clusters.cluster_create(
                name=form.cleaned_data["name"], members=recommendations, user=request.user
            )
    except (PermissionDenied, ValidationError) as error:
        form.add_error(None, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
        return None
    model_admin.message_user(
        request,
        format_html(
            "{} {} in the cluster {}.",
            counted(len(recommendations), "recommendation"),
            "is" if len(recommendations) == 1 else "are",
            _cluster_link(cluster),
        ),
        messages.SUCCESS,
    )
    return cluster


def _cluster_link(cluster):
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:recommendations_cluster_change", args=[cluster.pk]), cluster
    )


class ClusterActionsMixin:
    """The recommendations' list: group the selection into a cluster, or take it out; a row's
    page: similar recommendations to confirm into a cluster."""

    def has_cluster_permission(self, request):
        return request.user.has_perm(CHANGE_RECOMMENDATION)

    def get_urls(self):
        similar = path(
            "<int:object_id>/similar/",
            self.admin_site.admin_view(self.similar_view),
            name="recommendations_recommendation_similar",
        )
        return [similar, *super().get_urls()]

    @admin.action(description="Group selected recommendations as one cluster (the same ask)…", permissions=["cluster"])
    def make_cluster(self, request, queryset):
        form = GroupForm(request.POST if "apply_cluster" in request.POST else None)
        if form.is_bound and form.is_valid() and group(self, request, list(queryset), form):
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Group {queryset.count()} recommendations as one cluster",
            "form": form,
            "rows": list(queryset.select_related("made_by")[:200]),
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/recommendations/recommendation/cluster.html", context)

    @admin.action(description="Take selected recommendations out of their cluster", permissions=["cluster"])
    def leave_cluster(self, request, queryset):
        selected = list(queryset)  # counted before acting, as review actions are
        try:
            count = clusters.cluster_remove(recommendations=selected, user=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        others = ""
        if count < len(selected):
            others = "; it was in none" if len(selected) == 1 else "; the others were in none"
        noun = counted(len(selected), "selected recommendation")
        their = "its" if len(selected) == 1 else "their"
        self.message_user(request, f"{count} of {noun} taken out of {their} cluster{others}.")

    @admin.display(description="cluster (the same ask)")
    def cluster_display(self, obj):
        if obj.pk is None:
            return "—"
        link = _cluster_link(obj.cluster) if obj.cluster_id else "none"
        url = reverse("admin:recommendations_recommendation_similar", args=[obj.pk])
        return format_html('{} · <a href="{}">Similar recommendations (suggested cluster)…</a>', link, url)

    def similar_view(self, request, object_id):
        recommendation = get_object_or_404(Recommendation.objects.select_related("cluster"), pk=object_id)
        if not self.has_view_permission(request, recommendation):
            raise PermissionDenied
        suggestions = clusters.cluster_suggestions(recommendation=recommendation)
        initial = (
            {"cluster": recommendation.cluster_id}
            if recommendation.cluster_id
            else {"name": recommendation.title[:200]}
        )
        form = GroupForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if not self.has_cluster_permission(request):
                raise PermissionDenied
            chosen = {int(pk) for pk in request.POST.getlist("member") if pk.isdigit()}
            members = [recommendation, *(s.recommendation for s in suggestions if s.recommendation.pk in chosen)]
            if form.is_valid() and group(self, request, members, form):
                return HttpResponseRedirect(reverse("admin:recommendations_recommendation_change", args=[object_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Recommendations like “{recommendation}”",
            "recommendation": recommendation,
            "suggestions": suggestions,
            "form": form,
            "may_cluster": self.has_cluster_permission(request),
        }
        return TemplateResponse(request, "admin/recommendations/recommendation/similar.html", context)
