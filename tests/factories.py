"""factory_boy factories for the tracker's models. Status updates are recorded through the
service (``record_status``) so tests exercise the same path as the admin and the API."""

import datetime

import factory

from recommendations import services
from recommendations.models import (
    Actor,
    Cluster,
    LegalProvision,
    Recommendation,
    ReviewState,
    SourceDocument,
    Theme,
)

DOCUMENT_TEXT = (
    "The government promised to reform the law on peaceful assemblies by the end of the year.\n"
    "Observers   said the reform   had stalled.\n\nIn April the parliament adopted the law."
)


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDocument

    external_id = factory.Sequence(lambda n: f"doc-{n:04d}.txt")
    title = factory.Sequence(lambda n: f"Report number {n}")
    publisher = "Example Watch"
    document_type = SourceDocument.DocumentType.REPORT
    text = factory.Sequence(lambda n: f"{DOCUMENT_TEXT}\nDocument serial {n}.")
    published_on = datetime.date(2020, 1, 15)


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = Actor.Kind.NGO


class StateFactory(ActorFactory):
    kind = Actor.Kind.STATE
    country = "KZ"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class LegalProvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalProvision

    slug = factory.Sequence(lambda n: f"provision-{n}")
    country = "KZ"
    instrument = "Criminal Code"
    article = factory.Sequence(lambda n: str(100 + n))


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    name = factory.Sequence(lambda n: f"Cluster {n}")


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    kind = Recommendation.Kind.RECOMMENDATION
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    text = "Reform the law on peaceful assemblies."
    made_by = factory.SubFactory(ActorFactory)
    addressed_to = factory.SubFactory(StateFactory)
    made_on = datetime.date(2019, 6, 12)
    review_state = ReviewState.PUBLISHED  # existing, reviewed data; tests of the review flow make drafts


def record_status(
    recommendation, status, as_of, document=None, quote="the reform   had stalled", publish=True, **kwargs
):
    """Record a status update through the service, with a quote that occurs in the factory text,
    and (by default) publish it so that it counts toward the current status."""
    document = document or SourceDocumentFactory()
    return services.status_update_record(
        recommendation=recommendation,
        status=status,
        as_of=as_of,
        summary=kwargs.pop("summary", f"{status} as of {as_of}"),
        citations=[services.CitationInput(document=document, quote=quote)],
        publish=publish,
        **kwargs,
    )


def used_publicly(*objects):
    """Make reference data public the way real data becomes public: a published recommendation
    uses it (made by the actor, tagged with the theme or provision, citing the document). Returns
    the objects, for ``make()`` functions of the API tests."""
    for obj in objects:
        if isinstance(obj, Actor):
            RecommendationFactory(made_by=obj, addressed_to=obj)  # no other actor becomes public
        elif isinstance(obj, Theme):
            RecommendationFactory().themes.add(obj)
        elif isinstance(obj, LegalProvision):
            RecommendationFactory().legal_provisions.add(obj)
        elif isinstance(obj, SourceDocument):
            services.citation_create(
                recommendation=RecommendationFactory(), document=obj, quote="the reform   had stalled"
            )
        else:
            raise TypeError(f"{type(obj).__name__} is not reference data")
    return list(objects)
