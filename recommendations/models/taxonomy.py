"""The curated reference data recommendations are described by: actors, themes (and the other
vocabularies' themes mapped onto them), the Sustainable Development Goals, affected groups and
legal provisions."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from ..querysets import (
    ActorQuerySet,
    AffectedGroupQuerySet,
    LegalProvisionQuerySet,
    SustainableDevelopmentGoalQuerySet,
    ThemeQuerySet,
)
from .common import TimestampedModel


class Actor(TimestampedModel):
    """Who recommends, promises or is addressed: a UN body, an intergovernmental organisation,
    a state or its envoy, an NGO, a national authority or a head of state."""

    class Kind(models.TextChoices):
        """What kind of body an actor is; a foreign government is a STATE whose country differs."""

        UN_MECHANISM = "un_mechanism", "UN mechanism (e.g. the UPR, a special rapporteur)"
        TREATY_BODY = "treaty_body", "UN treaty body"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation (e.g. OSCE/ODIHR)"
        STATE = "state", "State (its government)"
        ENVOY = "envoy", "Envoy or official of a state"
        NGO = "ngo", "Non-governmental organisation"
        NATIONAL_AUTHORITY = "national_authority", "National authority"
        HEAD_OF_STATE = "head_of_state", "Head of state"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = CountryField(blank=True, help_text="The country the actor belongs to or represents, if any.")
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The organisation or state this actor belongs to or speaks for (an envoy's government).",
    )
    description = models.TextField(blank=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints = [
        models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=Kind.values))
    ]

    def __str__(self):
        return self.name


class Theme(TimestampedModel):
    """A subject in the curated taxonomy (freedom of assembly, torture, …); themes may nest."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    description = models.TextField(blank=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SourceTheme(TimestampedModel):
    """A theme as another vocabulary names it (an issue in UPR Info's ``Issue`` column, a theme of
    OHCHR's Universal Human Rights Index), mapped onto curated themes. Imported rows keep these
    names (``Recommendation.source_themes``) and get the curated themes they map to, so that one
    theme filter counts curated and imported rows alike (``theme_mapping``; docs/curation.md).

    ``applied_themes`` are the themes last given to the rows that carry this name: re-mapping
    removes from those rows what the mapping no longer gives, and adds what it now gives."""

    class Vocabulary(models.TextChoices):
        """Whose list of themes a name comes from."""

        UPR_INFO = "upr_info", "UPR Info issue"
        UHRI = "uhri", "OHCHR theme (UHRI)"

    vocabulary = models.CharField(max_length=10, choices=Vocabulary.choices)
    name = models.CharField(max_length=300, help_text="As the source writes it, e.g. “Freedom of the press”.")
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="source_themes",
        help_text="The curated themes rows with this name get; none: unmapped (reported by imports).",
    )
    applied_themes = models.ManyToManyField(Theme, blank=True, related_name="+", editable=False)

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["vocabulary", "name"]
        verbose_name = "source theme"
        constraints = [
            models.UniqueConstraint(
                "vocabulary", models.functions.Lower("name"), name="%(app_label)s_%(class)s_unique_name"
            ),
        ]

    Meta.constraints += [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_vocabulary_valid", condition=Q(vocabulary__in=Vocabulary.values)
        )
    ]

    def __str__(self):
        return f"{self.name} ({self.get_vocabulary_display()})"


class SustainableDevelopmentGoal(TimestampedModel):
    """One of the UN's 17 Sustainable Development Goals, which OHCHR links each UPR recommendation to
    ("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"). The 17 rows ship with the tracker."""

    NUMBERS = range(1, 18)

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)])
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Peace, justice and strong institutions.")

    objects = SustainableDevelopmentGoalQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "sustainable development goal"
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_number_1_to_17", condition=Q(number__gte=1, number__lte=17)
            )
        ]

    def __str__(self):
        return f"SDG {self.number}: {self.name}"


class AffectedGroup(TimestampedModel):
    """A group of persons a recommendation concerns (women and girls, children, human rights
    defenders, …), from the vocabulary of OHCHR's Universal Human Rights Index."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    objects = AffectedGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LegalProvision(TimestampedModel):
    """An article of a legal instrument that a recommendation asks to change or respect,
    e.g. Kazakhstan's Criminal Code art. 174 or the Constitution art. 32."""

    slug = models.SlugField(max_length=120, unique=True)
    country = CountryField(blank=True, help_text="Whose law it is; blank for international instruments.")
    instrument = models.CharField(max_length=300, help_text="e.g. Criminal Code, Constitution, ICCPR.")
    article = models.CharField(max_length=50, blank=True, help_text="e.g. 174; blank for the whole instrument.")
    title = models.CharField(max_length=500, blank=True, help_text="What the provision is about.")

    objects = LegalProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "instrument", "article"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "instrument", "article"], name="%(app_label)s_%(class)s_unique_article"
            ),
        ]

    def __str__(self):
        return self.label_of(self.instrument, self.article, self.country.code)

    @staticmethod
    def label_of(instrument, article, country_code):
        """The one label of a provision, "Criminal Code art. 174 (KZ)" (the admin, the API and the
        stats' groups), from its values; ``country_code`` is "" for an international instrument."""
        label = f"{instrument} art. {article}" if article else instrument
        return f"{label} ({country_code})" if country_code else label
