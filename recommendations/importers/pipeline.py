"""The import pipeline every format shares: read → map to a common row → check → plan → apply.

1. *Read* (the format's module): the file's rows as ``ImportRow``, each checked as it is mapped;
   the first bad row stops everything with ``ImportRefused`` naming the file's row and column.
2. *Check*: rows that repeat an earlier one (same ``external_id``) are stored once; a repeat that
   differs only in its issues is merged (union of the issues) with a warning; any other
   difference is refused. Names standing for no state (placeholders) skip their row, with a
   warning; state names are resolved through ``states``.
3. *Plan* (``plan_import``): match states to actors and issues to themes, look up the rows
   already imported and decide for each: create, update (what changes) or unchanged. Reads only:
   the plan is the preview and the dry run.
4. *Apply* (``Plan.apply``): store the file as a source document (type dataset), then create and
   change the recommendations through the services' bulk helpers, each row citing its place in
   the file. The same rules as any other write: drafts unless published by someone the publish
   rule allows, published rows changed only by someone who may publish, and compare-and-set on
   every version read by the plan — a row changed by someone else between plan and apply refuses
   the whole import (``ImportRefused``; nothing is written) rather than overwriting their change.

A row's identity is the format's ``external_id`` (for UPR Info, a hash of the session, the two
states and the text): importing the same file twice changes nothing.
"""

import datetime
import hashlib
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .. import bulk, services
from ..models import (
    Actor,
    AffectedGroup,
    Citation,
    Recommendation,
    SourceDocument,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from ..permissions import PUBLISH_RECOMMENDATION
from . import states
from .errors import ImportRefused
from .formats import ReadOptions, Source, choose
from .matching import match_names, match_states, validate_fields
from .report import Duplicate, ImportReport, RowChange
from .rows import ImportRow, short_title

# Whose assessment a status update is, from the kind of actor the person importing names.
ASSESSOR_KINDS = {
    Actor.Kind.NGO: StatusUpdate.AssessorKind.NGO,
    Actor.Kind.STATE: StatusUpdate.AssessorKind.GOVERNMENT,
    Actor.Kind.NATIONAL_AUTHORITY: StatusUpdate.AssessorKind.GOVERNMENT,
    Actor.Kind.HEAD_OF_STATE: StatusUpdate.AssessorKind.GOVERNMENT,
    Actor.Kind.UN_MECHANISM: StatusUpdate.AssessorKind.UN_BODY,
    Actor.Kind.TREATY_BODY: StatusUpdate.AssessorKind.UN_BODY,
    Actor.Kind.INTERGOVERNMENTAL: StatusUpdate.AssessorKind.INTERGOVERNMENTAL,
    Actor.Kind.MEDIA: StatusUpdate.AssessorKind.MEDIA,
}
BATCH_SIZE = 500


Progress = Callable[..., Iterable]


def import_file(*, dry_run: bool = False, **arguments) -> ImportReport:
    """Plan an import (``plan_import``'s arguments) and, unless ``dry_run``, apply it."""
    plan = plan_import(**arguments)
    plan.report.dry_run = dry_run
    if not dry_run:
        plan.apply()
    return plan.report


def plan_import(
    *,
    content: bytes,
    file_name: str = "upload",
    format: str = "auto",
    encoding: str | None = None,
    state_under_review: str = "",
    progress: Progress | None = None,
    user=None,
    publish: bool = False,
    assessed_by: str = "",
    assessed_on: datetime.date | None = None,
) -> "Plan":
    """Read, check and plan an import of ``content`` (a file's bytes; see the module docstring).

    ``format``: a registered format's name, or "auto" to recognise it. ``encoding`` names a text
    file's encoding (detected when None). ``progress``, if given, wraps the long loops like
    ``tqdm`` does. ``user`` is who imports (None: the operator at the command line); ``publish``
    publishes the new rows. ``assessed_by`` (an actor's slug) and ``assessed_on`` say whose and of
    what date the assessments a file holds are (OHCHR lists with the assessment column filled in).
    Raises ``ImportRefused`` for a file that cannot be imported and
    ``PermissionDenied`` if ``user`` may not do what the import would do.
    """
    if publish:
        bulk.recommendations_check_publish(user=user)
    progress = progress or _no_progress
    source = Source(content=content, file_name=file_name, encoding=encoding)
    chosen = choose(source, format)
    report = ImportReport(file_name=file_name, format=chosen.name)
    if source.is_table:
        table = source.table()
        report.file_description = table.description
        report.encoding, report.encoding_detected = table.encoding, table.encoding_detected
    options = ReadOptions(state_under_review=state_under_review.strip())
    rows = _check(chosen.read(source, options, report.warnings.append), report, progress)
    assessor = _assessor(rows, assessed_by, assessed_on)
    return Plan(
        rows,
        report,
        progress,
        user=user,
        publish=publish,
        document=(chosen.document_text(source), chosen),
        assessor=assessor,
    )


def _assessor(rows, assessed_by: str, assessed_on) -> tuple[Actor, datetime.date] | None:
    """Whose assessments the file's are, and their date: required when a row has one."""
    first = next((row for row in rows if row.assessment is not None), None)
    if first is None:
        return None
    if not assessed_by or assessed_on is None:
        raise ImportRefused(
            f"Row {first.number}, column {first.assessment.column}: the file holds assessments of implementation; "
            "say whose they are and of what date (--assessed-by ACTOR-SLUG --assessed-on YYYY-MM-DD, or the "
            "admin form's fields) to import them as draft status updates."
        )
    actor = Actor.objects.filter(slug=assessed_by.strip()).first()
    if actor is None:
        raise ImportRefused(f"No actor with the slug “{assessed_by.strip()}” (--assessed-by): add it first.")
    return actor, assessed_on


def _no_progress(iterable, **kwargs):
    return iterable


def _check(rows: Iterable[ImportRow], report: ImportReport, progress: Progress) -> list[ImportRow]:
    """The distinct rows: repeats stored once (merging issues), placeholder states skipped."""
    distinct: dict[str, ImportRow] = {}
    for row in progress(rows, desc="Reading", unit="row"):
        report.rows += 1
        placeholder = next(
            (name for name in (row.state_under_review, row.recommending_state) if states.is_placeholder(name)), None
        )
        if placeholder is not None:
            report.skipped_rows.append(row.number)
            report.warnings.append(
                f"Row {row.number}: “{states.clean(placeholder) or '(empty)'}” names no state; the row was skipped."
            )
            continue
        row.state_under_review = states.clean(row.state_under_review)
        row.recommending_state = states.clean(row.recommending_state)
        row.also_recommending_states = tuple(states.clean(name) for name in row.also_recommending_states)
        first = distinct.get(row.external_id)
        if first is None:
            distinct[row.external_id] = row
            continue
        if first.mapped_values() != row.mapped_values():
            raise ImportRefused(
                f"Row {row.number}: the same recommendation as row {first.number} (same session, states and text) "
                f"but {_difference(first, row)}. Remove one of the two rows and import again."
            )
        known = {issue.casefold() for issue in first.issues}
        added = tuple(issue for issue in row.issues if issue.casefold() not in known)
        if known != {issue.casefold() for issue in row.issues}:
            first.issues = (*first.issues, *added)
            report.warnings.append(
                f"Row {row.number} repeats row {first.number} except for its issues: merged into row {first.number}, "
                f"whose issues are now {', '.join(first.issues)}."
            )
            duplicate = Duplicate(row.number, first.number, row.state_under_review, merged_issues=first.issues)
        else:
            duplicate = Duplicate(row.number, first.number, row.state_under_review)
        report.duplicates.append(duplicate)
        report.counts(row.state_under_review).duplicates += 1
    if not distinct and not report.skipped_rows:
        raise ImportRefused("The file has a header but no rows to import.")
    return list(distinct.values())


def _difference(first: ImportRow, second: ImportRow) -> str:
    def cells(row):
        return (row.response_cell, row.action_category, row.text)

    labels = ("Response", "Action", "Text")
    return "; ".join(
        f"{label} “{a or ''}” on row {first.number} and “{b or ''}” on row {second.number}"
        for label, a, b in zip(labels, cells(first), cells(second), strict=True)
        if a != b
    )


class Plan:
    """What the import will write: the actors and themes to create, the recommendations to
    create and change. Built from reads only; ``apply`` writes it."""

    def __init__(self, rows: Sequence[ImportRow], report, progress, *, user, publish, document, assessor=None):
        self.report, self.progress, self.user, self.publish = report, progress, user, publish
        self.document_text, self.format = document
        self.assessor = assessor
        self.published_updates: list[int] = []  # row numbers
        self.actors = match_states(
            {
                name
                for row in rows
                for name in (row.state_under_review, row.recommending_state, *row.also_recommending_states)
            },
            report,
        )
        self.themes, new_themes = match_names(Theme, {issue for row in rows for issue in row.issues}, what="the theme")
        report.new_themes.extend(new_themes)
        self.groups, new_groups = match_names(
            AffectedGroup, {group for row in rows for group in row.affected_groups}, what="the group of persons"
        )
        report.warnings.extend(
            f"New group of persons: “{name}” (not in the vocabulary; it was added)." for name in new_groups
        )
        self.goals = {goal.number: goal for goal in SustainableDevelopmentGoal.objects.all()}
        self.assessments: list[tuple[ImportRow, Recommendation]] = []
        self.creates: list[tuple[ImportRow, Recommendation, list[Theme]]] = []
        # (row, change, whether the row gets a citation of this file)
        self.changes: list[tuple[ImportRow, bulk.BulkChange, bool]] = []
        existing = self._existing([row.external_id for row in rows])
        self._existing_links(existing, rows)
        for row in progress(rows, total=len(rows), desc="Comparing", unit="row"):
            themes = [self.themes[issue.casefold()] for issue in row.issues]
            recommendation = existing.get(row.external_id)
            if recommendation is None:
                self._create(row, themes)
            else:
                self._compare(row, recommendation, themes)
        report.changes.sort(key=lambda change: change.number)
        report.assessments = len(self.assessments)
        if self.published_updates and not all(
            services.may_change(user, change.recommendation, PUBLISH_RECOMMENDATION) for _, change, _ in self.changes
        ):
            first = self.published_updates[0]
            raise PermissionDenied(
                f"{len(self.published_updates)} rows would change recommendations that are already published "
                f"(the first: row {first}); only a reviewer can change published recommendations. "
                "Nothing was imported."
            )

    def _links(self, row: ImportRow) -> dict[str, list]:
        """The row's other related rows: joint recommending states, groups of persons, SDGs."""
        makers = [self.actors[name.casefold()] for name in row.also_recommending_states]
        return {
            "also_made_by": list({id(actor): actor for actor in makers}.values()),
            "affected_groups": [self.groups[name.casefold()] for name in row.affected_groups],
            "sdgs": [self.goals[number] for number in row.sdgs if number in self.goals],
        }

    def _existing_links(self, found: dict[str, Recommendation], rows: Sequence[ImportRow]) -> None:
        """For rows that have joint states, groups or SDGs: what their recommendations already have."""
        wanted = [
            found[row.external_id].pk
            for row in rows
            if row.external_id in found and (row.also_recommending_states or row.affected_groups or row.sdgs)
        ]
        for recommendation in found.values():
            recommendation._import_links = {"also_made_by": set(), "affected_groups": set(), "sdgs": set()}
        by_id = {recommendation.pk: recommendation for recommendation in found.values()}
        for name in ("also_made_by", "affected_groups", "sdgs"):
            through = getattr(Recommendation, name).through
            target = f"{Recommendation._meta.get_field(name).m2m_reverse_field_name()}_id"
            for start in range(0, len(wanted), BATCH_SIZE):
                links = through.objects.filter(recommendation_id__in=wanted[start : start + BATCH_SIZE])
                for recommendation_id, other_id in links.values_list("recommendation_id", target):
                    by_id[recommendation_id]._import_links[name].add(other_id)

    def _assessed(self, recommendation: Recommendation) -> bool:
        """Whether this assessor's assessment of that date is already recorded (a re-import)."""
        if not hasattr(self, "_assessed_ids"):
            actor, on = self.assessor
            self._assessed_ids = set(
                StatusUpdate.objects.filter(assessed_by=actor, as_of=on).values_list("recommendation_id", flat=True)
            )
        return recommendation.pk in self._assessed_ids

    def _existing(self, keys: list[str]) -> dict[str, Recommendation]:
        """The recommendations already imported from these rows, with their theme ids and
        whether they already cite an imported file."""
        found = {}
        for start in range(0, len(keys), BATCH_SIZE):
            batch = Recommendation.objects.filter(external_id__in=keys[start : start + BATCH_SIZE])
            found.update((recommendation.external_id, recommendation) for recommendation in batch)
        theme_ids: dict[int, set[int]] = {}
        cited: set[int] = set()
        ids = [recommendation.id for recommendation in found.values()]
        through = Recommendation.themes.through
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            links = through.objects.filter(recommendation_id__in=batch)
            for recommendation_id, theme_id in links.values_list("recommendation_id", "theme_id"):
                theme_ids.setdefault(recommendation_id, set()).add(theme_id)
            cited.update(
                Citation.objects.filter(
                    recommendation_id__in=batch, document__document_type=SourceDocument.DocumentType.DATASET
                ).values_list("recommendation_id", flat=True)
            )
        for recommendation in found.values():
            recommendation._import_theme_ids = theme_ids.get(recommendation.id, set())
            recommendation._import_cited = recommendation.id in cited
        return found

    def _create(self, row: ImportRow, themes: list[Theme]) -> None:
        recommendation = Recommendation(
            external_id=row.external_id,
            title=short_title(row.text),
            made_by=self.actors[row.recommending_state.casefold()],
            addressed_to=self.actors[row.state_under_review.casefold()],
            context=row.context,
            **row.source_values(),
            **row.date_values(),
        )
        validate_fields(recommendation, f"row {row.number}", exclude=["made_by", "addressed_to"])
        self.creates.append((row, recommendation, themes))
        if row.assessment is not None:
            self.assessments.append((row, recommendation))
        self.report.counts(row.state_under_review).created += 1
        self.report.changes.append(
            RowChange(row.number, "create", row.state_under_review, row.recommending_state, recommendation.title)
        )

    def _compare(self, row: ImportRow, recommendation: Recommendation, themes: list[Theme]) -> None:
        changes, fields = [], []
        values = row.source_values()
        if values["text"] != recommendation.text:
            values["title"] = short_title(row.text)
        dates = row.date_values()
        # The session's month fills an empty date and follows a changed session; a date a curator
        # set otherwise is theirs.
        if dates and (recommendation.made_on is None or recommendation.upr_session != row.session):
            values.update(dates)
        expected_version = recommendation.version
        for field, new in values.items():
            old = getattr(recommendation, field)
            if old != new:
                if field not in ("made_on_precision", "made_on_basis", "date_note"):
                    changes.append((field, _display(old), _display(new)))
                setattr(recommendation, field, new)
                fields.append(field)
        added = [theme for theme in themes if theme.pk is None or theme.pk not in recommendation._import_theme_ids]
        if added:
            changes.append(("themes", "", "+ " + ", ".join(theme.name for theme in added)))
        add_links = {
            name: [other for other in others if other.pk is None or other.pk not in recommendation._import_links[name]]
            for name, others in self._links(row).items()
        }
        for name, others in add_links.items():
            if others:
                changes.append((name, "", "+ " + ", ".join(str(other) for other in others)))
        if row.assessment is not None and not self._assessed(recommendation):
            self.assessments.append((row, recommendation))
            changes.append(("assessment", "", f"+ draft status update: {row.assessment.status}"))
        cite = bool(fields) or not recommendation._import_cited
        if cite and not changes:
            changes.append(("evidence", "", f"+ {row.location} of {self.report.file_name}"))
        counts = self.report.counts(row.state_under_review)
        if not changes:
            counts.unchanged += 1
            return
        validate_fields(recommendation, f"row {row.number}")
        if recommendation.is_published:
            self.published_updates.append(row.number)
        change = bulk.BulkChange(
            recommendation=recommendation,
            expected_version=expected_version,
            fields=fields,
            add_themes=added,
            add_links={name: others for name, others in add_links.items() if others},
            label=f"Row {row.number}",
        )
        self.changes.append((row, change, cite))
        counts.updated += 1
        self.report.changes.append(
            RowChange(
                row.number,
                "update",
                row.state_under_review,
                row.recommending_state,
                recommendation.title,
                tuple(changes),
            )
        )

    # ── Apply ────────────────────────────────────────────────────────────────────────────

    def apply(self) -> ImportReport:
        """Write the plan in one transaction (see the module docstring)."""
        if not self.creates and not self.changes:
            return self.report
        try:
            with transaction.atomic():
                document = self._document()
                self._save_new_actors_and_themes()
                process = f"import of {self.report.file_name}"
                batches = range(0, len(self.creates), BATCH_SIZE)
                for start in self.progress(batches, total=len(batches), desc="Writing", unit="batch"):
                    batch = self.creates[start : start + BATCH_SIZE]
                    bulk.recommendations_bulk_create(
                        recommendations=[recommendation for _, recommendation, _ in batch],
                        themes=[themes for _, _, themes in batch],
                        links=[self._links(row) for row, _, _ in batch],
                        citations=[[self._citation(document, row)] for row, _, _ in batch],
                        labels=[f"Row {row.number}" for row, _, _ in batch],
                        user=self.user,
                        publish=self.publish,
                        process=process,
                        reason=f"Import of {self.report.file_name}",
                    )
                for row, change, cite in self.changes:
                    change.add_citations = [self._citation(document, row)] if cite else []
                bulk.recommendations_bulk_change(
                    changes=[change for _, change, _ in self.changes],
                    user=self.user,
                    reason=f"Import of {self.report.file_name}",
                )
                self._record_assessments(document, process)
        except services.ConcurrentEditError as error:
            row = next((row for row, change, _ in self.changes if change.recommendation.pk == error.instance.pk), None)
            where = f"Row {row.number}" if row else "A row"
            raise ImportRefused(
                f"{where}: its recommendation “{error.instance}” was changed by someone else after this import was "
                f"planned (version {error.expected_version}, now {error.current_version}); nothing was imported, so "
                "their change stays. Import the file again: the new preview starts from the current values."
            ) from None
        except ValidationError as error:
            raise ImportRefused(" ".join(error.messages)) from None
        except IntegrityError as error:
            raise ImportRefused(
                f"The database refused the import ({error}). Was the same file being imported at the same time? "
                "Nothing was written; try again."
            ) from None
        return self.report

    def _record_assessments(self, document: SourceDocument, process: str) -> None:
        """Each assessment in the file as a draft status update citing its cell, through the same
        service as any other (a reviewer publishes it)."""
        if not self.assessments:
            return
        actor, on = self.assessor
        kind = ASSESSOR_KINDS.get(actor.kind, StatusUpdate.AssessorKind.STAFF)
        for row, recommendation in self.assessments:
            services.status_update_record(
                recommendation=recommendation,
                status=row.assessment.status,
                as_of=on,
                summary=short_title(row.assessment.text, length=500),
                citations=[
                    services.CitationInput(
                        document=document,
                        quote=row.assessment.text,
                        location=f"{row.location}, {row.assessment.column}",
                    )
                ],
                assessor_kind=kind,
                assessed_by=actor,
                recorded_by=self.user,
                process=process,
            )

    def _save_new_actors_and_themes(self) -> None:
        """Through the services; the planned instances take the new ids, so the recommendations
        that point at them get them too."""
        for actor in {id(actor): actor for actor in self.actors.values()}.values():
            if actor.pk is None:
                actor.pk = services.actor_create(
                    user=self.user,
                    slug=actor.slug,
                    name=actor.name,
                    kind=actor.kind,
                    country=actor.country.code if actor.country else "",
                    description=actor.description,
                ).pk
                actor._state.adding = False
        for theme in self.themes.values():
            if theme.pk is None:
                theme.pk = services.theme_create(user=self.user, slug=theme.slug, name=theme.name).pk
                theme._state.adding = False
        for group in self.groups.values():
            if group.pk is None:
                group.pk = services.affected_group_create(user=self.user, slug=group.slug, name=group.name).pk
                group._state.adding = False

    def _document(self) -> SourceDocument:
        """The imported file as a source document of type dataset (found again if already stored)."""
        text = self.document_text
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        document = SourceDocument.objects.filter(text_sha256=digest).first()
        if document is None:
            document = services.source_document_create(
                user=self.user,
                external_id=f"import:{digest[:16]}:{self.report.file_name}"[:200],
                title=self.report.file_name[:500] or "Imported file",
                publisher=self.format.publisher,
                document_type=SourceDocument.DocumentType.DATASET,
                published_on=None,
                text=text,
            )
        self.report.document = document.external_id
        return document

    def _citation(self, document: SourceDocument, row: ImportRow) -> services.CitationInput:
        start, end = row.quote_span or (None, None)
        quote = document.text[start:end] if start is not None else row.text
        return services.CitationInput(
            document=document, quote=quote, location=row.location, quote_start=start, quote_end=end
        )


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    return short_title(str(value), length=60)
