"""``manage.py setup_roles``: create or correct the Viewer, Editor, Reviewer and Administrator groups."""

from django.core.management.base import BaseCommand, CommandError

from recommendations.roles import ADMINISTRATOR, EDITOR, REVIEWER, VIEWER, roles_sync


class Command(BaseCommand):
    help = "Create the staff roles (groups) with their permissions, or reset them to their definition."

    def handle(self, *args, **options):
        try:
            roles_sync()
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Roles ready: {VIEWER}, {EDITOR}, {REVIEWER}, {ADMINISTRATOR}. See docs/roles.md.")
        )
