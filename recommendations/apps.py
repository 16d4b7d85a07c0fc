import sys

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_save


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Recommendation tracker"

    def ready(self):
        # Register the background jobs' handlers with the task a worker runs.
        from tracker.database import configure_session

        from .jobs import assessment, export, imports, review  # noqa: F401
        from .models import SourceDocument, guard_fixture_document
        from .roles import sync_roles_after_migrate

        # Keep the staff roles (groups and their permissions) in step with the models.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        # loaddata saves rows "raw", past SourceDocument.save(): the cited-text guard runs here for it.
        pre_save.connect(guard_fixture_document, sender=SourceDocument, dispatch_uid="guard_fixture_document")
        # Each new database session's settings (PostgreSQL: no JIT).
        connection_created.connect(configure_session, dispatch_uid="configure_session")
        self._name_history_models()

    def _name_history_models(self):
        # django-simple-history gives the history models of a models *package* the app's name as
        # their module ("recommendations") but defines them in the model's own module; put them
        # where their name says, so `manage.py shell` auto-imports them (and any lookup by
        # module and name finds them).
        package = sys.modules[self.name]
        for model in self.get_models():
            if model.__module__ == self.name:
                setattr(package, model.__name__, model)
