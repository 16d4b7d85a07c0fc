"""Recommendations and promises, the typed links between them, and the clusters curators group
them in."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..keyset import made_on_key, sort_key
from ..permissions import RECOMMENDATION_PERMISSIONS
from ..querysets import ClusterQuerySet, RecommendationQuerySet
from .common import (
    LANGUAGE_CODE,
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    ReviewedModel,
    ReviewState,
    TimestampedModel,
    check_date_basis,
    check_period_start,
    format_partial_date,
    period_end,
)
from .taxonomy import Actor, AffectedGroup, LegalProvision, SourceTheme, SustainableDevelopmentGoal, Theme


class Cluster(TimestampedModel):
    """Recommendations that make the same ask — across UPR cycles and across recommending bodies —
    grouped by a curator, so that they can be followed (and assessed) together."""

    name = models.CharField(max_length=200, unique=True, help_text="The ask in a few words.")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Recommendation(ReviewedModel):
    """Something a state is asked to do (a recommendation) or pledges to do (a promise)."""

    class Kind(models.TextChoices):
        """A recommendation asks the state to act; a promise is the state or its leader pledging to."""

        RECOMMENDATION = "recommendation", "Recommendation (someone asks the state)"
        PROMISE = "promise", "Promise (the state or its leader pledges)"

    class Mechanism(models.TextChoices):
        """The process through which a recommendation or promise was made."""

        UPR = "upr", "UN Universal Periodic Review"
        TREATY_BODY = "treaty_body", "UN treaty body"
        SPECIAL_PROCEDURES = "special_procedures", "UN special procedures"
        OSCE = "osce", "OSCE / ODIHR"
        BILATERAL = "bilateral", "Bilateral (a foreign government)"
        NGO = "ngo", "NGO appeal or report"
        NATIONAL = "national", "National pledge (speech, programme, plan)"
        OTHER = "other", "Other"

    class StateResponse(models.TextChoices):
        """The state's formal answer, where the mechanism asks for one (UPR: supported or noted)."""

        SUPPORTED = "supported", "Supported"
        NOTED = "noted", "Noted"
        PARTIALLY_SUPPORTED = "partially_supported", "Partially supported"
        REJECTED = "rejected", "Rejected"

    external_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="Stable identifier from where the item came from (a seed key, an import's row key); unique if set.",
    )
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.RECOMMENDATION)
    title = models.CharField(max_length=300, help_text="A short title a dashboard can show in a table.")
    text = models.TextField(help_text="The full text of the recommendation or promise.")
    made_by = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="recommendations_made")
    addressed_to = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="recommendations_received",
        help_text="The state (or its authority) expected to act; for a promise, who made it answerable.",
    )
    mechanism = models.CharField(max_length=20, choices=Mechanism.choices, default=Mechanism.OTHER)
    context = models.CharField(
        max_length=300, blank=True, help_text="The occasion, e.g. “UPR 3rd cycle”, “inaugural address”."
    )
    upr_session = models.PositiveSmallIntegerField("UPR session", null=True, blank=True)
    upr_cycle = models.PositiveSmallIntegerField("UPR cycle", null=True, blank=True)
    upr_action_category = models.PositiveSmallIntegerField(
        "UPR Info action category",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (minimal action) to 5 (specific action), as UPR Info classifies it.",
    )
    made_on = models.DateField(null=True, blank=True)
    made_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    made_on_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    due_on = models.DateField(
        null=True, blank=True, help_text="Deadline: the last day by which it should be carried out."
    )
    due_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    due_on_basis = models.CharField(max_length=8, choices=DateBasis.choices, default=DateBasis.STATED)
    date_note = models.TextField(
        blank=True, help_text="How the dates are known: for an inferred date, what it was inferred from."
    )
    state_response = models.CharField(
        max_length=20, choices=StateResponse.choices, blank=True, help_text="e.g. the state's UPR response."
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    legal_provisions = models.ManyToManyField(LegalProvision, blank=True, related_name="recommendations")
    # A recommendation several states made together (OHCHR lists "… (Maldives) (Portugal)"): the
    # first named is made_by, the others are here; filters by maker match both.
    also_made_by = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="recommendations_also_made",
        help_text="Other actors that made the same recommendation jointly (the first named is “made by”).",
    )
    sdgs = models.ManyToManyField(
        SustainableDevelopmentGoal, blank=True, related_name="recommendations", verbose_name="SDGs"
    )
    affected_groups = models.ManyToManyField(AffectedGroup, blank=True, related_name="recommendations")
    # The themes an imported file named (UPR Info's issues), kept by name; the curated themes they
    # map to are in ``themes`` (theme_mapping.themes_remap applies a changed mapping).
    source_themes = models.ManyToManyField(
        SourceTheme,
        blank=True,
        related_name="recommendations",
        verbose_name="source issues",
        help_text="Themes as the imported file names them (UPR Info's issues); mapped onto the curated themes.",
    )
    related = models.ManyToManyField(
        "self", through="RecommendationLink", symmetrical=False, blank=True, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        editable=False,
        help_text="The group of recommendations making the same ask (set from the cluster's page or the list).",
    )
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="Language of the title and text (en, ru, kk, …); the search stems English and Russian words.",
        validators=[LANGUAGE_CODE],
    )
    # PostgreSQL only (SQLite's FTS5 table keeps its own copies): the names around the row (actors,
    # themes, legal provisions) and the weighted full-text vector of everything searched, written
    # by the database's triggers on every write (search_schema.py), never by Python.
    search_related = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Denormalised from the status history by services.recommendation_refresh_current_status so
    # that lists, filters and counts over many rows need no subquery.
    current_status = models.CharField(max_length=25, choices=ImplementationStatus.choices, blank=True, editable=False)
    current_status_as_of = models.DateField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Archived recommendations are kept but no longer shown."
    )
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations_created",
        editable=False,
        help_text="The editor who added it (None for imports and seed loads at the command line).",
    )

    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[themes, legal_provisions, sdgs, affected_groups, also_made_by, source_themes],
        # Grouping into clusters is curation around the row, not a change of what it says; the search
        # fields are derived.
        excluded_fields=[
            "current_status",
            "current_status_as_of",
            "updated_at",
            "cluster",
            "search_related",
            "search_vector",
        ],
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        permissions = RECOMMENDATION_PERMISSIONS
        indexes = [
            models.Index(fields=["kind", "current_status"], name="rec_kind_status_idx"),
            models.Index(fields=["due_on"], name="rec_due_on_idx"),
            models.Index(fields=["made_on"], name="rec_made_on_idx"),
            # The lists' default order and its keyset pages (recommendations.keyset): newest first, no date last.
            models.Index(made_on_key().desc(), models.F("id").desc(), name="rec_made_on_keyset_idx"),
            models.Index(
                models.F("current_status"), made_on_key().desc(), models.F("id").desc(), name="rec_status_keyset_idx"
            ),
            # Deadlines in order (``ordering=due_on``: the dashboard's overdue promises), a walk of the
            # rows that have one, as every deadline filter (``overdue``, ``due_before``) implies.
            models.Index(
                sort_key("due_on", models.DateField(), nullable=True),
                models.F("id"),
                name="rec_due_on_keyset_idx",
                condition=Q(due_on__isnull=False),
            ),
            # ``upr_cycle=`` in the default order: a cycle's rows are years old, so a walk of the
            # whole list's order skipped every newer row first (444 ms at a million).
            models.Index(
                models.F("upr_cycle"), made_on_key().desc(), models.F("id").desc(), name="rec_upr_cycle_keyset_idx"
            ),
            models.Index(fields=["language"], name="rec_language_idx"),
            # ``ordering=title`` (either way) and its keyset pages.
            models.Index(fields=["title", "id"], name="rec_title_keyset_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="%(app_label)s_%(class)s_unique_external_id"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_review_state_valid", condition=Q(review_state__in=ReviewState.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_current_status_valid",
                condition=Q(current_status="") | Q(current_status__in=ImplementationStatus.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_date_basis_valid",
                condition=Q(made_on_basis__in=DateBasis.values, due_on_basis__in=DateBasis.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_upr_action_category_range",
                condition=Q(upr_action_category__isnull=True)
                | Q(upr_action_category__gte=1, upr_action_category__lte=5),
            ),
        ]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints += [
        models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=Kind.values)),
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_state_response_valid",
            condition=Q(state_response="") | Q(state_response__in=StateResponse.values),
        ),
    ]

    def __str__(self):
        return self.title

    def clean(self):
        check_period_start(self.made_on, self.made_on_precision, "made_on")
        check_date_basis(self.made_on, self.made_on_basis, self.date_note, "made_on", "date it was made")
        check_date_basis(self.due_on, self.due_on_basis, self.date_note, "due_on", "deadline")
        if self.due_on is not None and self.due_on != period_end(self.due_on, self.due_on_precision):
            raise ValidationError(
                {
                    "due_on": f"A deadline known to the {self.due_on_precision} is stored as the last day of that "
                    f"{self.due_on_precision} ({period_end(self.due_on, self.due_on_precision).isoformat()})."
                }
            )
        if self.made_on and self.due_on and self.due_on < self.made_on:
            raise ValidationError({"due_on": "The deadline cannot be before the date it was made."})

    @property
    def made_on_display(self):
        return format_partial_date(self.made_on, self.made_on_precision)

    @property
    def due_on_display(self):
        return format_partial_date(self.due_on, self.due_on_precision)

    def is_overdue(self):
        """Overdue today, as stored (one query; lists read the ``effective_overdue`` annotation of
        ``with_status_on`` instead). The rule is ``querysets.overdue_q``; for another date, whose
        status may have differed, use ``Recommendation.objects.overdue(on)``."""
        return self.pk is not None and Recommendation.objects.filter(pk=self.pk).overdue().exists()


class RecommendationLink(TimestampedModel):
    """A typed link between two recommendations: a promise answering a recommendation, or the
    same ask repeated across years or by several actors."""

    class Relation(models.TextChoices):
        """How one recommendation relates to another."""

        ANSWERS = "answers", "answers (a promise responding to a recommendation)"
        REPEATS = "repeats", "repeats (the same ask made again)"
        SAME_AS = "same_as", "same as (the same ask by another actor)"
        FOLLOWS_UP = "follows_up", "follows up"

    from_recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links_out")
    to_recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=12, choices=Relation.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["from_recommendation", "relation", "to_recommendation"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_recommendation", "to_recommendation", "relation"],
                name="%(app_label)s_%(class)s_unique_link",
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_not_self",
                condition=~Q(from_recommendation=models.F("to_recommendation")),
            ),
        ]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_relation_valid", condition=Q(relation__in=Relation.values)
        ),
    ]

    def __str__(self):
        return f"{self.from_recommendation} {self.relation} {self.to_recommendation}"
