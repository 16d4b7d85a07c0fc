"""Permission names, the one source for the models' ``Meta.permissions``, the services, the roles,
the admin and the API. A codename is what ``Meta.permissions`` and the groups store; the dotted
name (``recommendations.publish_recommendation``) is what ``user.has_perm`` takes."""

APP_LABEL = "recommendations"


def codename(action, model_name):
    """A permission's codename: Django's defaults are ``add``/``change``/``delete``/``view`` +
    ``_`` + the model's name; ours follow the same pattern."""
    return f"{action}_{model_name}"


def dotted(permission_codename):
    return f"{APP_LABEL}.{permission_codename}"


# The review permissions, as the models declare them (codename, description).
RECOMMENDATION_PERMISSIONS = [
    (codename("publish", "recommendation"), "Can publish recommendations"),
    (codename("archive", "recommendation"), "Can archive and restore recommendations"),
]
STATUS_UPDATE_PERMISSIONS = [(codename("publish", "statusupdate"), "Can publish status updates")]
REVIEW_CODENAMES = [name for name, _ in RECOMMENDATION_PERMISSIONS + STATUS_UPDATE_PERMISSIONS]

PUBLISH_RECOMMENDATION = dotted(codename("publish", "recommendation"))
ARCHIVE_RECOMMENDATION = dotted(codename("archive", "recommendation"))
PUBLISH_STATUS_UPDATE = dotted(codename("publish", "statusupdate"))
VIEW_RECOMMENDATION = dotted(codename("view", "recommendation"))
ADD_RECOMMENDATION = dotted(codename("add", "recommendation"))
ADD_STATUS_UPDATE = dotted(codename("add", "statusupdate"))
CHANGE_RECOMMENDATION = dotted(codename("change", "recommendation"))
ADD_CLUSTER = dotted(codename("add", "cluster"))
ADD_INTERNAL_NOTE = dotted(codename("add", "internalnote"))
VIEW_INTERNAL_NOTE = dotted(codename("view", "internalnote"))
VIEW_JOB = dotted(codename("view", "job"))
