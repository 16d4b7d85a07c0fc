"""Names in a file matched to the tracker's records, once per file: states to actors, issues to
themes, groups of persons to affected groups. What is not known yet is planned as a new record
(unsaved: ``Plan.apply`` creates it through the services)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from ..models import Actor
from . import states
from .errors import ImportRefused
from .report import ImportReport


def match_states(names: set[str], report: ImportReport) -> dict[str, Actor]:
    """Each state named in the file (keyed by its casefolded name), as an existing state actor
    (found by country code, then slug, then name) or a new one, listed in ``report.new_actors``."""
    by_country, by_slug, by_name = {}, {}, {}
    for actor in Actor.objects.filter(kind=Actor.Kind.STATE).order_by("id"):
        if actor.country:
            by_country.setdefault(actor.country.code, actor)
        by_slug.setdefault(actor.slug, actor)
        by_name.setdefault(actor.name.casefold(), actor)
    taken = set(Actor.objects.values_list("slug", flat=True))
    matched = {}
    for name in sorted(names, key=str.casefold):
        if name.casefold() in matched:
            continue
        code = states.country_code(name)
        actor = (code and by_country.get(code)) or by_slug.get(slugify(name)) or by_name.get(name.casefold())
        if actor is None:
            actor = Actor(
                name=name,
                slug=unique_slug(name, taken, Actor.slug.field.max_length),
                kind=Actor.Kind.STATE,
                country=code,
                description="Created by an import.",
            )
            validate_fields(actor, f"the state “{name}”")
            report.new_actors.append(name)
            if code:
                by_country[code] = actor
            by_slug[actor.slug], by_name[name.casefold()] = actor, actor
        if not code and not actor.country:
            report.names_without_country.append(name)
        matched[name.casefold()] = actor
    return matched


def match_names(model: type[models.Model], names: set[str], *, what: str) -> tuple[dict, list[str]]:
    """Each name as an existing record of ``model`` (a named vocabulary with a unique ``name`` and
    ``slug``: themes, affected groups) with the same name in any case or the same slug, or as a new
    one. Returns the records keyed by casefolded name, and the names that are new. ``what`` names
    the vocabulary in errors ("the theme")."""
    existing = list(model.objects.all())
    by_name = {record.name.casefold(): record for record in existing}
    by_slug = {record.slug: record for record in existing}
    taken = set(by_slug)
    matched, new = {}, []
    for name in sorted(names, key=str.casefold):
        key = name.casefold()
        if key in matched:
            continue
        record = by_name.get(key) or by_slug.get(slugify(name))
        if record is None:
            record = model(name=name, slug=unique_slug(name, taken, model._meta.get_field("slug").max_length))
            validate_fields(record, f"{what} “{name}”")
            new.append(name)
        matched[key] = record
    return matched, new


def unique_slug(name: str, taken: set[str], max_length: int) -> str:
    base = (slugify(name) or "item")[: max_length - 4]
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def validate_fields(instance, where: str, exclude: Sequence[str] = ()) -> None:
    """Field checks before anything is written, so that a preview names the bad row. Uniqueness is
    left to the plan itself and the database's constraints (a query per row otherwise)."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())
        raise ImportRefused(f"{where[0].upper()}{where[1:]}: {messages}") from None
