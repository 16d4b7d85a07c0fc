"""Nothing unpublished reaches an anonymous client, through any door (issue 8, findings 1, 5, 6).

The leak test builds a database with the seeds (public) and, beside them, every kind of row the
public must not see — each with ``MARK`` in its texts: a draft recommendation with its own actors,
theme, provision and cited document; a published status update of that draft; an archived
recommendation with its published history; a draft status update of a public recommendation; a
document an editor added that nothing cites; a corrected version of a public document that nothing
cites yet; a draft UPR import that created states and themes; and links from public rows to hidden
ones (an actor's ``part_of``, a theme's ``parent``, a document's ``replaced_by``). It then walks
every public endpoint in every format (JSON, CSV, the browsable API, OPTIONS, the schema and its
viewers) as an anonymous client and asserts that neither the mark nor the id of any hidden row
appears, and that a hidden row's id or slug is answered exactly as one that does not exist.
"""

import csv
import datetime
import io
import json
import re
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import services
from recommendations.api import views
from recommendations.api.urls import router
from recommendations.filters import IdFilter, RelatedFilterMixin, SlugFilter
from recommendations.importers import import_file
from recommendations.models import (
    Actor,
    AffectedGroup,
    Citation,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    Theme,
)
from recommendations.stats import GROUPINGS
from tests.factories import (
    DOCUMENT_TEXT,
    ActorFactory,
    LegalProvisionFactory,
    RecommendationFactory,
    SourceDocumentFactory,
    ThemeFactory,
    record_status,
    used_publicly,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MARK = "Zqxleak"  # in every text of every hidden row; compared without case (slugs are lower case)
UNKNOWN_ID = 987654321
UNKNOWN_SLUG = "no-such-thing-at-all"

# Which kind of row a JSON key (or CSV column prefix) holds, to check ids by kind.
KIND_OF_KEY = {
    "made_by": Actor,
    "addressed_to": Actor,
    "assessed_by": Actor,
    "part_of": Actor,
    "themes": Theme,
    "parent": Theme,
    "legal_provisions": LegalProvision,
    "document": SourceDocument,
    "replaces": SourceDocument,
    "replaced_by": SourceDocument,
    "recommendation": Recommendation,
    "citations": Citation,
    "status_history": StatusUpdate,
}
KIND_OF_LIST = {basename: viewset.queryset.model for _, viewset, basename in router.registry}


def csv_bytes(*rows):
    header = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\r\n"
    return (header + "".join(f"{row}\r\n" for row in rows)).encode()


@pytest.fixture
def hidden(seeded):
    """The seeds, and beside them every kind of row the public must not see; returns the ids of
    the hidden rows by model, and a few of them by role (``hidden.draft`` …)."""
    ids = defaultdict(set)

    def keep(obj):
        ids[type(obj)].add(obj.pk)
        return obj

    text = f"{DOCUMENT_TEXT}\nThe {MARK} passage."

    def document(name):
        return keep(
            services.source_document_create(
                external_id=f"{MARK}-{name}.txt",
                title=f"{MARK} {name}",
                publisher=f"{MARK} Watch",
                text=f"{text} {name}",
            )
        )

    def actor(name, **fields):
        return keep(ActorFactory(name=f"{MARK} {name}", slug=f"{MARK.lower()}-{name}", description=MARK, **fields))

    # An editor's additions that nothing uses.
    unused_document = document("unused")
    unused_provision = keep(
        LegalProvisionFactory(slug=f"{MARK.lower()}-article", instrument=f"{MARK} Code", title=f"{MARK} article")
    )
    keep(ThemeFactory(name=f"{MARK} unused theme", slug=f"{MARK.lower()}-unused-theme", description=MARK))
    actor("unused")

    # A draft recommendation with its own actors, theme, provision and evidence, and a published
    # status update of it.
    draft = keep(
        RecommendationFactory(
            title=f"{MARK} draft",
            text=f"{MARK} draft text",
            external_id=f"{MARK}-draft",
            review_state=ReviewState.DRAFT,
            made_by=actor("drafter"),
            addressed_to=actor("draft-state", kind=Actor.Kind.STATE, country="KZ"),
        )
    )
    draft.themes.add(keep(ThemeFactory(name=f"{MARK} draft theme", slug=f"{MARK.lower()}-draft-theme")))
    draft.legal_provisions.add(unused_provision)
    draft.affected_groups.add(keep(AffectedGroup.objects.create(name=f"{MARK} group", slug=f"{MARK.lower()}-group")))
    keep(services.citation_create(recommendation=draft, document=document("draft-evidence"), quote="the reform"))
    update_of_draft = keep(
        record_status(
            draft,
            ImplementationStatus.IN_PROGRESS,
            D(2023, 1, 1),
            document("draft-update-evidence"),
            summary=f"{MARK} update of a draft",
            assessed_by=actor("draft-assessor"),
        )
    )

    # An archived recommendation with its published history.
    archived = keep(
        RecommendationFactory(
            title=f"{MARK} archived",
            text=f"{MARK} archived text",
            made_by=actor("archived-maker"),
            addressed_to=draft.addressed_to,
        )
    )
    archived.themes.add(keep(ThemeFactory(name=f"{MARK} archived theme", slug=f"{MARK.lower()}-archived-theme")))
    update_of_archived = keep(
        record_status(
            archived,
            ImplementationStatus.IMPLEMENTED,
            D(2023, 2, 1),
            document("archived-evidence"),
            summary=f"{MARK} update of an archived one",
            assessed_by=actor("archived-assessor"),
        )
    )
    services.recommendation_archive(recommendation=archived)

    # A draft assessment of a public recommendation (and a public group of persons it concerns).
    public = Recommendation.objects.public().order_by("pk").first()
    public.affected_groups.add(AffectedGroup.objects.exclude(name__startswith=MARK).order_by("pk").first())
    draft_update = keep(
        record_status(
            public,
            ImplementationStatus.NOT_STARTED,
            D(2024, 3, 1),
            document("draft-assessment-evidence"),
            summary=f"{MARK} draft assessment",
            assessed_by=actor("draft-assessment-assessor"),
            publish=False,
        )
    )
    for update in (update_of_draft, update_of_archived, draft_update):
        for citation in update.citations.all():
            keep(citation)

    # Public rows linked to hidden ones: an actor part of a hidden one, a theme under a hidden one,
    # a public document corrected by a version nothing cites yet.
    public_actor = Actor.objects.public().order_by("pk").first()
    Actor.objects.filter(pk=public_actor.pk).update(part_of=actor("parent"))
    public_theme = Theme.objects.public().order_by("pk").first()
    hidden_parent = keep(ThemeFactory(name=f"{MARK} parent theme", slug=f"{MARK.lower()}-parent-theme"))
    Theme.objects.filter(pk=public_theme.pk).update(parent=hidden_parent)
    public_document = SourceDocument.objects.public().filter(replaced_by__isnull=True).order_by("pk").first()
    keep(
        services.source_document_correct(
            document=public_document,
            text=f"{public_document.text}\n{MARK} correction.",
            correction_note=f"{MARK} correction note",
            external_id=f"{MARK}-v2",
        )
    )

    # A draft import, which creates states and themes.
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in (Actor, Theme, Recommendation)}
    import_file(
        content=csv_bytes(
            f"{MARK}istan,,,{MARK} imported text,{MARK}ia,,,Supported,4,{MARK} imported issue,40",
            f"{MARK}istan,,,{MARK} second imported text,Kazakhstan,,,Noted,4,{MARK} imported issue,40",
        )
    )
    for model, pks in before.items():
        ids[model] |= set(model.objects.values_list("pk", flat=True)) - pks
    imported = Recommendation.objects.filter(pk__in=ids[Recommendation], text__contains="imported")
    assert imported.count() == 2 and not imported.filter(review_state=ReviewState.PUBLISHED).exists()

    # Clusters: one of published rows (public), one whose only member is a draft (hidden).
    from recommendations.clusters import cluster_create

    cluster_create(name="Protest law", members=Recommendation.objects.public().order_by("pk")[:2])
    keep(cluster_create(name=f"{MARK} cluster", description=MARK, members=[draft]))

    ids = {model: frozenset(pks) for model, pks in ids.items()}
    # What this builds must really be hidden by the rule, and the seeds really public.
    for model, pks in ids.items():
        if model is Citation:  # shown only inside their recommendation or status update
            continue
        public_ids = set(views.visible_to(model.objects.all(), None).values_list("pk", flat=True))
        assert not public_ids & pks, model
        assert public_ids, model
    hidden_rows = type("Hidden", (), {})()
    hidden_rows.ids = ids
    hidden_rows.draft = draft
    hidden_rows.unused_document = unused_document
    hidden_rows.linked = {Actor: public_actor.pk, Theme: public_theme.pk, SourceDocument: public_document.pk}
    return hidden_rows


def found_ids(value, kind, into):
    """Every (model, id) in a JSON value whose top-level items are of model ``kind``."""
    if isinstance(value, list):
        for item in value:
            found_ids(item, kind, into)
    elif isinstance(value, dict):
        if kind is not None and isinstance(value.get("id"), int):
            into.add((kind, value["id"]))
        for key, item in value.items():
            if key == "results":
                found_ids(item, kind, into)
            elif isinstance(item, dict | list):
                found_ids(item, KIND_OF_KEY.get(key), into)
    return into


def csv_ids(text, kind):
    found = set()
    for row in csv.DictReader(io.StringIO(text)):
        for column, cell in row.items():
            if column == "id" or column.endswith(".id"):
                model = kind if column == "id" else KIND_OF_KEY.get(column.rsplit(".", 2)[-2])
                for value in (cell or "").split(" | "):
                    if model is not None and value.isdigit():
                        found.add((model, int(value)))
    return found


def assert_nothing_hidden(response, hidden, kind=None):
    body = response.content.decode()
    where = f"{response.request['PATH_INFO']}?{response.request.get('QUERY_STRING', '')}"
    assert response.status_code < 500, where
    assert MARK.lower() not in body.lower(), (
        f"{where} shows a hidden row: …{body[body.lower().find(MARK.lower()) - 200 :][:400]}…"
    )
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        seen = found_ids(json.loads(body), kind, set())
    elif content_type.startswith("text/csv"):
        seen = csv_ids(body, kind)
    else:
        return
    leaked = {(model.__name__, pk) for model, pk in seen if pk in hidden.ids.get(model, ())}
    assert not leaked, f"{where} names hidden rows {leaked}"


def walk(api_client, hidden):
    """Every public GET (and OPTIONS) in every format; returns how many responses were checked."""
    checked = 0

    def check(url, params=None, kind=None, **headers):
        nonlocal checked
        cache.clear()  # the anonymous throttle would answer 429 before the walk is done
        response = api_client.get(url, params or {}, **headers)
        assert response.status_code == 200, (url, params, response.content[:300])
        assert_nothing_hidden(response, hidden, kind)
        checked += 1
        return response

    everything = {"page_size": settings.API_MAX_PAGE_SIZE}
    for _, viewset, basename in router.registry:
        kind = viewset.queryset.model
        url = f"/api/v1/{_}/"
        listed = check(url, everything, kind).json()["results"]
        assert listed, url
        check(url, {**everything, "format": "csv"}, kind)
        check(url, {"format": "api"})
        check(url, HTTP_ACCEPT="text/html")
        options = api_client.options(url)
        assert options.status_code == 200
        assert_nothing_hidden(options, hidden, kind)
        checked += 1
        if basename == "recommendation":
            check(url, {**everything, "full": "true"}, kind)
            check(url, {**everything, "full": "true", "format": "csv"}, kind)
            check(url, {**everything, "as_of": "2023-06-01"}, kind)
        pks = [*sorted(item["id"] for item in listed)[:5], hidden.linked.get(kind, listed[0]["id"])]
        for pk in pks:
            check(f"{url}{pk}/", kind=kind)
            check(f"{url}{pk}/", {"format": "api"})
    for group_by in [None, *GROUPINGS]:
        params = {"group_by": group_by} if group_by else {}
        for form in ("json", "csv", "api"):
            check("/api/v1/stats/", {**params, "format": form})
    for form in ("json", "csv", "api"):
        check(
            "/api/v1/stats/timeline/", {"start": "2000-01-01", "end": "2026-01-01", "interval": "year", "format": form}
        )
    for url in ("/api/v1/", "/api/schema/", "/api/docs/", "/api/redoc/"):
        check(url)
    check("/api/schema/", {"format": "json"})
    return checked


def test_no_hidden_row_appears_anywhere_to_anonymous_clients(hidden, api_client):
    checked = walk(api_client, hidden)
    assert checked > 100


def test_staff_do_see_the_drafts_so_the_walk_would_catch_a_leak(hidden, client_as):
    """The walk's checks do find the hidden rows when they are shown (to a viewer, drafts are)."""
    viewer = client_as("Viewer")
    body = viewer.get("/api/v1/recommendations/", {"page_size": 500}).content.decode()
    assert MARK.lower() in body.lower()
    with pytest.raises(AssertionError, match="shows a hidden row"):
        assert_nothing_hidden(viewer.get("/api/v1/documents/", {"format": "csv", "page_size": 500}), hidden)


def related_filters():
    """(url, parameter name, model, extra parameters) for every filter that names related rows,
    in every filtered endpoint."""
    endpoints = [(f"/api/v1/{prefix}/", viewset.filterset_class, {}) for prefix, viewset, _ in router.registry]
    endpoints.append(("/api/v1/stats/", views.StatsView.filterset_class, {}))
    endpoints.append(
        ("/api/v1/stats/timeline/", views.TimelineView.filterset_class, {"start": "2020-01-01", "end": "2021-01-01"})
    )
    for url, filterset_class, extra in endpoints:
        for name, filter_ in filterset_class.base_filters.items():
            if isinstance(filter_, RelatedFilterMixin):
                yield url, name, filter_, extra
            elif name == "state_under_review":
                yield url, name, SlugFilter(model=Actor), extra


def page_text(response):
    """A response's status and body, without the browsable page's CSRF token (masked afresh for
    every response)."""
    return response.status_code, re.sub(r'"csrfToken": "\w+"', '"csrfToken": ""', response.content.decode())


def answered_alike(hidden_answer, hidden_value, unknown_answer, unknown_value):
    """Whether two answers differ only by the value asked for (written into the unknown one)."""
    status, body = page_text(unknown_answer)
    return page_text(hidden_answer) == (status, body.replace(str(unknown_value), str(hidden_value)))


def test_a_hidden_row_is_answered_exactly_as_one_that_does_not_exist(hidden, api_client):
    """No existence oracle: for every filter naming related rows, on every endpoint, a hidden row's
    id or slug gets the same answer (status and body) as an unknown one; so does its detail."""
    compared = 0
    for url, name, filter_, extra in related_filters():
        model = filter_.related_model
        pk = min(hidden.ids[model])
        secret, unknown = (
            (pk, UNKNOWN_ID) if isinstance(filter_, IdFilter) else (model.objects.get(pk=pk).slug, UNKNOWN_SLUG)
        )
        for form in ("json", "api"):
            cache.clear()  # not throttled: the answers are compared whole
            answer = api_client.get(url, {**extra, name: secret, "format": form})
            other = api_client.get(url, {**extra, name: unknown, "format": form})
            assert answered_alike(answer, secret, other, unknown), f"{url}?{name}=…&format={form}"
            compared += 1
    assert compared >= 40
    for prefix, viewset, _ in router.registry:
        for pk in sorted(hidden.ids.get(viewset.queryset.model, ())):
            cache.clear()
            answer = api_client.get(f"/api/v1/{prefix}/{pk}/")
            assert answered_alike(answer, pk, api_client.get(f"/api/v1/{prefix}/{UNKNOWN_ID}/"), UNKNOWN_ID)


# ── One test per finding of issue 8 (each fails on the main before it) ───────────────────


def test_finding_1_the_browsable_filter_form_lists_no_rows(api_client, django_assert_max_num_queries):
    """The filter form of the browsable API offered every recommendation, drafts and archived ones
    included, as options of a select. Now it is a text box, and the page costs the same number of
    queries however many recommendations there are."""
    published = RecommendationFactory(title="A published one")
    record_status(published, ImplementationStatus.IN_PROGRESS, D(2024, 1, 1))
    RecommendationFactory(title="A draft only staff may read", review_state=ReviewState.DRAFT)

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get("/api/v1/status-updates/", {"format": "api"})
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    body, queries = page()
    assert "A draft only staff may read" not in body
    assert '<input type="text" name="recommendation"' in body
    assert '<select name="recommendation"' not in body
    RecommendationFactory.create_batch(15, review_state=ReviewState.DRAFT)
    assert page()[1] == queries


def test_finding_5_a_draft_id_and_an_unknown_id_answer_alike(api_client):
    """``status-updates/?recommendation=<draft id>`` answered 200 (count 0), an unknown id 400."""
    draft = RecommendationFactory(review_state=ReviewState.DRAFT)
    record_status(draft, ImplementationStatus.IN_PROGRESS, D(2024, 1, 1))
    url = "/api/v1/status-updates/"
    as_draft = api_client.get(url, {"recommendation": draft.pk})
    as_unknown = api_client.get(url, {"recommendation": UNKNOWN_ID})
    assert as_draft.status_code == as_unknown.status_code == 400
    assert answered_alike(as_draft, draft.pk, as_unknown, UNKNOWN_ID)


def test_finding_6_a_document_is_public_once_a_published_row_cites_it(api_client):
    """A document an editor added was listed, with its text, at once."""
    document = services.source_document_create(
        external_id="editor-added.txt", title="Added by an editor", text=f"{DOCUMENT_TEXT}\nEditor's copy."
    )
    url = f"/api/v1/documents/{document.pk}/"
    assert api_client.get("/api/v1/documents/").json()["count"] == 0
    assert api_client.get(url).status_code == 404
    draft = RecommendationFactory(review_state=ReviewState.DRAFT)
    services.citation_create(recommendation=draft, document=document, quote="the reform   had stalled")
    assert api_client.get(url).status_code == 404  # cited by a draft: still not public
    services.recommendation_publish(recommendation=draft)
    assert api_client.get(url).json()["text"] == document.text
    services.recommendation_unpublish(recommendation=draft)
    assert api_client.get(url).status_code == 404


def test_finding_6_actors_and_themes_of_a_draft_import_are_not_listed(api_client):
    """A draft import's new states and themes were listed although no published row used them."""
    # The issue maps onto a curated theme the import adds (an unmapped issue gives no theme at all).
    import_file(content=csv_bytes("Atlantis,,,Do more,Lemuria,,,Supported,4,Death penalty,40"))
    assert api_client.get("/api/v1/actors/").json()["count"] == 0
    assert api_client.get("/api/v1/themes/").json()["count"] == 0
    assert api_client.get("/api/v1/actors/", {"q": "Atlantis"}).json()["count"] == 0
    services.recommendation_publish(recommendation=Recommendation.objects.get())
    assert {a["name"] for a in api_client.get("/api/v1/actors/").json()["results"]} == {"Atlantis", "Lemuria"}
    assert [t["name"] for t in api_client.get("/api/v1/themes/").json()["results"]] == ["Death penalty"]


def test_finding_6_links_to_hidden_rows_are_not_shown(api_client):
    """A public actor, theme or document names another of its kind only if that one is public."""
    state, envoy = used_publicly(ActorFactory(kind="state"), ActorFactory(kind="envoy"))
    Actor.objects.filter(pk=envoy.pk).update(part_of=ActorFactory(name="Hidden parent"))
    [document] = used_publicly(SourceDocumentFactory())
    services.source_document_correct(document=document, text=f"{document.text} Corrected.", correction_note="typo")
    assert api_client.get(f"/api/v1/actors/{envoy.pk}/").json()["part_of"] is None
    assert api_client.get(f"/api/v1/documents/{document.pk}/").json()["replaced_by"] is None
    Actor.objects.filter(pk=envoy.pk).update(part_of=state)
    assert api_client.get(f"/api/v1/actors/{envoy.pk}/").json()["part_of"]["id"] == state.pk
