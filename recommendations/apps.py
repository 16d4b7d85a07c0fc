from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Recommendation tracker"

    def ready(self):
        # Register the background jobs' handlers with the task a worker runs.
        from .jobs import assessment, export, imports, review  # noqa: F401
        from .models import SourceDocument, guard_fixture_document
        from .roles import sync_roles_after_migrate

        # Keep the staff roles (groups and their permissions) in step with the models.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        # loaddata saves rows "raw", past SourceDocument.save(): the cited-text guard runs here for it.
        pre_save.connect(guard_fixture_document, sender=SourceDocument, dispatch_uid="guard_fixture_document")
