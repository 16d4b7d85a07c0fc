from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Recommendation tracker"

    def ready(self):
        from .roles import sync_roles_after_migrate

        # Keep the staff roles (groups and their permissions) in step with the models.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
