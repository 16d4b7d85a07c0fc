"""Guards for the rules that must exist once: each test fails when a second copy appears. The
behaviour of each rule is tested where it is used (stats, filters, admin, API); these catch a
copy before it can drift. Each search is what a reviewer would grep for."""

import inspect
import re
from pathlib import Path

from django.apps import apps
from django.db import models

import recommendations
from recommendations import models as tracker_models

APP = Path(recommendations.__file__).parent


def sources():
    """Every Python module of the app except its migrations (which freeze history)."""
    return {
        path.relative_to(APP).as_posix(): path.read_text(encoding="utf-8")
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts
    }


def modules_matching(pattern):
    regex = re.compile(pattern)
    return sorted(name for name, text in sources().items() if regex.search(text))


def test_the_overdue_rule_is_written_once():
    # The deadline comparison and the status that ends being overdue.
    assert modules_matching(r"due_on}?__lt\b|due_on\s*<\s*(on|day|today|datetime)") == ["querysets.py"]
    assert modules_matching(r"def (deadline_passed|still_open|done_statuses|overdue_q)\b") == ["querysets.py"]
    assert modules_matching(r"!= ImplementationStatus\.IMPLEMENTED|exclude\(status=ImplementationStatus") == []


def test_messages_labels_and_limits_are_written_once():
    assert modules_matching(r"does not occur in the document “") == ["quotes.py"]
    assert modules_matching(r"art\. \{") == ["models/taxonomy.py"]
    assert modules_matching(r"2\s*\*\*\s*63") == ["models/common.py"]
    assert modules_matching(r"No state with country code") == ["filters/fields.py"]
    assert modules_matching(r"in countries\b") == ["querysets.py"]


def test_permission_names_come_from_one_module():
    model_names = "|".join(model._meta.model_name for model in apps.get_app_config("recommendations").get_models())
    assert (
        modules_matching(rf"[\"'](recommendations\.)?(add|change|delete|view|publish|archive)_({model_names})[\"']")
        == []
    )
    assert modules_matching(r"def codename\b") == ["permissions.py"]


def test_review_states_are_named_by_review_state():
    # "published" and "draft" as values appear only where ReviewState defines them.
    assert modules_matching(r"review_state\w*\s*[=!]=?\s*[\"']") == []
    assert modules_matching(r"=\s*[\"'](published|draft)[\"'], [\"']") == ["models/common.py"]


def test_every_choices_class_has_one_spelling():
    """TextChoices are nested on the model they belong to (``Recommendation.Kind``); the few that
    several models share (``ImplementationStatus``, ``DatePrecision``, ``ReviewState``) live at
    module level. No class is reachable under a second name."""
    spellings = {}
    package = f"{tracker_models.__name__}."  # recommendations.models is a package of modules
    for name, value in vars(tracker_models).items():
        if inspect.isclass(value) and issubclass(value, models.Choices) and value.__module__.startswith(package):
            spellings.setdefault(value, []).append(name)
    for model in apps.get_app_config("recommendations").get_models():
        for name, value in vars(model).items():
            if inspect.isclass(value) and issubclass(value, models.Choices):
                spellings.setdefault(value, []).append(f"{model.__name__}.{name}")
    assert spellings
    for choices, names in spellings.items():
        assert names == [choices.__qualname__], f"{choices.__qualname__} is also spelt {names}"

    # Where a class is used by one model only, it is nested on that model.
    used_by = {}
    for model in apps.get_app_config("recommendations").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            for choices in spellings:
                if field.choices and list(field.choices) == list(choices.choices):
                    used_by.setdefault(choices, set()).add(model.__name__)
    for choices, users in used_by.items():
        if len(users) == 1 and "." not in choices.__qualname__:
            raise AssertionError(f"{choices.__qualname__} is used by {users} only: nest it there")


def test_what_the_public_sees_is_decided_once():
    """Which rows a client may see (issue 8): ``visible_to`` and each model's ``public()`` in
    querysets.py; the filters take their choices from it, never from a whole table."""
    assert modules_matching(r"def (sees_drafts|visible_to|used_publicly)\b") == ["querysets.py"]
    assert modules_matching(r"Filter\([^)]*queryset=\w+\.objects") == []


def test_the_spreadsheet_formula_rule_is_written_once():
    # The API's ?format=csv, the exports (admin and API) and the background export jobs neutralise
    # formula-like cells with the one rule of spreadsheets.py.
    assert modules_matching(r"def neutralise_formula\b") == ["spreadsheets.py"]
    assert modules_matching(r"FORMULA_PREFIXES\s*=|\\uff1d") == ["spreadsheets.py"]
