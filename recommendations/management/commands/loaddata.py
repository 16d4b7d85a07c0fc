"""``manage.py loaddata``, restoring history exactly as dumped.

Django's loaddata saves rows "raw", which django-simple-history skips, but it then sets
many-to-many fields normally, and simple-history records each of those as a new change. A
restore brings back the recorded history; it must not add to it, so history recording is off
while fixtures load. A fixture that would change the text of a cited document is refused (the
``pre_save`` guard in ``models``), with its message and nothing loaded. Everything else is
Django's own loaddata.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.test.utils import override_settings


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        try:
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                return super().handle(*fixture_labels, **options)
        except ValidationError as error:
            raise CommandError(f"{' '.join(error.messages)} Nothing was loaded.") from error
