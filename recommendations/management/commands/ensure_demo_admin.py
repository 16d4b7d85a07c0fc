"""``manage.py ensure_demo_admin``: make sure a superuser exists for trying the tracker locally.

The password comes from ``DEMO_ADMIN_PASSWORD`` or is generated and printed once, when the
account is created; there is never a fixed password. Refuses to run with DEBUG off unless
``--force`` is given, so a production instance does not get a demo account by accident.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo admin account if missing and print the admin URL and login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USERNAME", "admin"))
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="Admin URL to print.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, username, url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to create a demo admin account (use --force if you mean it).")
        password_from_env = os.environ.get("DEMO_ADMIN_PASSWORD", "")
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = password_from_env or secrets.token_urlsafe(12)
            user_model.objects.create_superuser(username=username, email="", password=password)
            origin = "from DEMO_ADMIN_PASSWORD" if password_from_env else "generated; shown only this once"
            message = f"Created the demo admin account.\n  Login:    {username}\n  Password: {password}  ({origin})"
        elif password_from_env:
            user.set_password(password_from_env)
            user.save(update_fields=["password"])
            message = f"Demo admin account exists.\n  Login:    {username}\n  Password: set from DEMO_ADMIN_PASSWORD"
        else:
            message = (
                f"Demo admin account exists.\n  Login:    {username}\n"
                "  Password: unchanged (it was printed when the account was created; to set a new one run\n"
                "            DEMO_ADMIN_PASSWORD=<new password> make run)"
            )
        self.stdout.write(self.style.SUCCESS(f"Admin: {url}") + "\n" + message)
