"""What a dashboard or an integration does with a Python client generated from ``/api/schema/``
(openapi-python-client), using nothing but that client: no raw HTTP, no hand-written parsing, no
patched headers. ``tests/test_generated_client.py`` generates the client into a temporary
directory as the package ``tracker_client`` and runs this script against a live server.

Environment: ``TRACKER_URL`` (the server), ``TRACKER_TOKEN`` (an Editor's API token, sent as
``Bearer``), ``TRACKER_REVIEWER_TOKEN`` (a Reviewer's, sent as ``Token``). Prints one
JSON object with what it saw; any surprise (an undeclared status, a body that does not parse as
declared, a wrong type) ends it with an exception.
"""

import datetime
import json
import os

from tracker_client import AuthenticatedClient, Client
from tracker_client.api.v1 import (
    v1_recommendations_list,
    v1_recommendations_list_csv,
    v1_recommendations_retrieve,
    v1_stats_retrieve,
    v1_stats_timeline_retrieve,
    v1_status_updates_create,
    v1_status_updates_partial_update,
    v1_status_updates_publish_create,
)
from tracker_client.models import (
    CitationInputRequest,
    Error,
    FieldErrors,
    ImplementationStatusEnum,
    NestedErrors,
    PaginatedRecommendationDetailList,
    PaginatedRecommendationList,
    PatchedStatusUpdateChangeRequest,
    PublishRequest,
    RecommendationDetail,
    Stats,
    StatusUpdate,
    StatusUpdateCreateRequest,
    Timeline,
    V1RecommendationsListKindItem,
    V1RecommendationsListOrderingItem,
    V1StatsRetrieveGroupBy,
    ValidationError,
)

url, token, reviewer_token = (os.environ[name] for name in ("TRACKER_URL", "TRACKER_TOKEN", "TRACKER_REVIEWER_TOKEN"))
# raise_on_unexpected_status: a status the schema does not declare is an error, not a silent None.
anonymous = Client(base_url=url, raise_on_unexpected_status=True)
editor = AuthenticatedClient(base_url=url, token=token, raise_on_unexpected_status=True)  # sends "Bearer <token>"
reviewer = AuthenticatedClient(base_url=url, token=reviewer_token, prefix="Token", raise_on_unexpected_status=True)
seen = {}


def expect(value, kind):
    assert isinstance(value, kind), f"expected {kind.__name__}, got {type(value).__name__}: {value!r}"
    return value


# ── Reading, anonymously ─────────────────────────────────────────────────────────────────

# Page through a filtered list: the recommendations (not promises), oldest first, 5 a page.
items, page = [], 1
while True:
    listing = v1_recommendations_list.sync(
        client=anonymous,
        kind=[V1RecommendationsListKindItem.RECOMMENDATION],
        ordering=[V1RecommendationsListOrderingItem.MADE_ON, V1RecommendationsListOrderingItem.ID_DESC],
        page=page,
        page_size=5,
    )
    listing = expect(listing, PaginatedRecommendationList)
    items.extend(listing.results)
    if not listing.next_:
        break
    page += 1
assert len(items) == listing.count and len({item.id for item in items}) == len(items)
assert all(item.kind == "recommendation" for item in items)
seen["listed"], seen["pages"] = len(items), page

full = expect(v1_recommendations_list.sync(client=anonymous, full=True, page_size=3), PaginatedRecommendationDetailList)
assert all(isinstance(item, RecommendationDetail) for item in full.results)

# The counts, overall and by theme, and the last five years month by month.
stats = expect(v1_stats_retrieve.sync(client=anonymous, group_by=V1StatsRetrieveGroupBy.THEME), Stats)
assert stats.overall.total == full.count
seen["total"], seen["themes"] = stats.overall.total, len(stats.groups)
timeline = expect(v1_stats_timeline_retrieve.sync(client=anonymous), Timeline)
seen["timeline_points"], seen["timeline_interval"] = len(timeline.points), str(timeline.interval)

# The same list as CSV, for a spreadsheet.
csv_text = expect(v1_recommendations_list_csv.sync(client=anonymous, page_size=500), str)
seen["csv_rows"] = len(csv_text.strip().splitlines()) - 1

# A detail with a status history: its ETag, and a quote to cite again.
assessed = next(item for item in items if item.status is not None)
detail = v1_recommendations_retrieve.sync_detailed(client=anonymous, id=assessed.id)
detail_etag = detail.headers["ETag"]
detail = expect(detail.parsed, RecommendationDetail)
evidence = detail.status_history[0].citations[0]
seen["detail"], seen["detail_etag"] = detail.id, detail_etag

# ── Writing with a token ─────────────────────────────────────────────────────────────────

body = StatusUpdateCreateRequest(
    recommendation=detail.id,
    status=ImplementationStatusEnum.IN_PROGRESS,
    as_of=datetime.date(2025, 3, 1),
    summary="Recorded through a generated client.",
    citations=[CitationInputRequest(document=evidence.document.external_id, quote=evidence.quote, location="p. 1")],
)
refused = v1_status_updates_create.sync_detailed(client=anonymous, body=body)
assert refused.status_code == 401 and expect(refused.parsed, Error).detail
created = v1_status_updates_create.sync_detailed(client=editor, body=body)
assert created.status_code == 201, created.content
etag = created.headers["ETag"]
update = expect(created.parsed, StatusUpdate)
assert update.review_state == "draft" and update.citations[0].quote == evidence.quote
seen["created"], seen["created_etag"] = update.id, etag

# Change it with the ETag it was read with; the old ETag is then refused with a 412.
change = PatchedStatusUpdateChangeRequest(summary="Corrected through a generated client.")
changed = v1_status_updates_partial_update.sync_detailed(id=update.id, client=editor, body=change, if_match=etag)
assert changed.status_code == 200, changed.content
changed_update = expect(changed.parsed, StatusUpdate)
assert changed_update.summary == change.summary and changed.headers["ETag"] != etag
stale = v1_status_updates_partial_update.sync_detailed(id=update.id, client=editor, body=change, if_match=etag)
assert stale.status_code == 412
seen["stale"] = expect(stale.parsed, Error).detail

# A reviewer publishes it (a review action answers with the row and its new ETag); the editor may not.
refused = v1_status_updates_publish_create.sync_detailed(id=update.id, client=editor, if_match=changed.headers["ETag"])
assert refused.status_code == 403 and expect(refused.parsed, Error).detail
published = v1_status_updates_publish_create.sync_detailed(
    id=update.id,
    client=reviewer,
    body=PublishRequest(citations=[update.citations[0].id]),
    if_match=changed.headers["ETag"],
)
assert published.status_code == 200, published.content
published_update = expect(published.parsed, StatusUpdate)
assert published_update.review_state == "published" and published_update.citations[0].confirmed_at is not None
seen["version"], seen["published_etag"] = published_update.version, published.headers["ETag"]

# ── The errors of a bad request, as typed objects ───────────────────────────────────────

bad_quote = StatusUpdateCreateRequest(
    recommendation=detail.id,
    status=ImplementationStatusEnum.STALLED,
    as_of=datetime.date(2025, 3, 1),
    summary="A quote that is not in the document.",
    citations=[CitationInputRequest(document=evidence.document.external_id, quote="Words nobody wrote.")],
)
errors = expect(v1_status_updates_create.sync(client=editor, body=bad_quote), ValidationError)
seen["quote_error"] = errors["citations"][0]

no_document = StatusUpdateCreateRequest(
    recommendation=detail.id,
    status=ImplementationStatusEnum.STALLED,
    as_of=datetime.date(2025, 3, 1),
    summary="",
    citations=[CitationInputRequest(document="no-such-document.txt", quote="Anything.")],
)
errors = expect(v1_status_updates_create.sync(client=editor, body=no_document), ValidationError)
citations = expect(errors["citations"], NestedErrors)  # by the index of each citation that is wrong
seen["document_error"] = expect(citations["0"], FieldErrors)["document"][0]
seen["summary_error"] = errors["summary"][0]

filter_errors = v1_recommendations_list.sync(client=anonymous, theme=["no-such-theme"])
seen["filter_error"] = expect(filter_errors, ValidationError)["theme"][0]

print(json.dumps(seen))
