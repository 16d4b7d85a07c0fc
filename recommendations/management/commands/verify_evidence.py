"""``manage.py verify_evidence``: re-check every citation and the rules of published evidence."""

from django.core.management.base import BaseCommand, CommandError

from recommendations.evidence import evidence_check


class Command(BaseCommand):
    help = (
        "Re-check the evidence in the database: each quote at its offsets in its document, each document's "
        "SHA-256, a citation on every published status update, a status on every published promise past its "
        "deadline. One line per problem, then a summary; exits with status 1 on any problem. Run it after "
        "restoring a backup."
    )

    def handle(self, *args, **options):
        check = evidence_check()
        for problem in check.problems:
            self.stdout.write(str(problem))
        if check.problems:
            raise CommandError(check.summary)
        self.stdout.write(self.style.SUCCESS(check.summary))
