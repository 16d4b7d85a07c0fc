"""The four staff roles, as Django groups. ``roles_sync()`` creates or corrects them; it runs after
every ``migrate`` and as ``manage.py setup_roles``. docs/roles.md explains them for users.

- Viewer: sees everything in the admin (drafts included) and its history; changes nothing.
- Editor: adds and edits documents, actors, themes, provisions, recommendations, status updates,
  citations and links; everything an editor adds is a draft; cannot publish, and cannot change
  what is already published.
- Reviewer: an editor who may also publish, withdraw, archive and restore.
- Administrator: everything, including user accounts and role membership.

Nobody deletes a recommendation: recommendations are archived (see services.recommendation_archive).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .permissions import APP_LABEL, REVIEW_CODENAMES, codename

VIEWER, EDITOR, REVIEWER, ADMINISTRATOR = "Viewer", "Editor", "Reviewer", "Administrator"

CURATED_MODELS = [
    "sourcedocument",
    "actor",
    "theme",
    "sourcetheme",
    "legalprovision",
    "recommendation",
    "statusupdate",
    "citation",
    "recommendationlink",
    "cluster",
    "internalnote",
]
# Editors may remove their own mistakes; the services refuse it once a row is published, and a
# cited document is protected by the database.
EDITOR_DELETABLE = ["statusupdate", "citation", "recommendationlink", "sourcedocument"]
REVIEWER_EXTRA = REVIEW_CODENAMES
# Apps whose every permission an Administrator holds (those installed).
ADMINISTRATOR_APPS = ["recommendations", "auth", "authtoken", "axes"]


def _role_permission_codenames():
    # Every role sees the background jobs (progress, outcome); nobody edits them by hand.
    viewer = {codename("view", model) for model in [*CURATED_MODELS, "job"]}
    editor = (
        viewer
        | {codename(action, model) for model in CURATED_MODELS for action in ("add", "change")}
        | {codename("delete", model) for model in EDITOR_DELETABLE}
    )
    reviewer = editor | set(REVIEWER_EXTRA)
    return {VIEWER: viewer, EDITOR: editor, REVIEWER: reviewer}


def _permissions(app_label, codenames):
    found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    missing = set(codenames) - set(found.values_list("codename", flat=True))
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {', '.join(sorted(missing))}")
    return found


@transaction.atomic
def roles_sync():
    """Create the four groups if missing and set each one's permissions to exactly its role's."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)  # permissions of apps migrated after this one
    for name, codenames in _role_permission_codenames().items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(APP_LABEL, codenames))
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    installed = [label for label in ADMINISTRATOR_APPS if any(c.label == label for c in apps.get_app_configs())]
    everything = Permission.objects.filter(content_type__app_label__in=installed).exclude(
        Q(content_type__app_label=APP_LABEL, codename=codename("delete", "recommendation"))
    )
    administrator.permissions.set(everything)


def sync_roles_after_migrate(sender, **kwargs):
    if sender.label == "recommendations":
        roles_sync()
