"""``manage.py remap_themes``: apply the theme mapping (Admin → Source themes) to the rows already imported."""

from django.core.management.base import BaseCommand, CommandError

from recommendations import services, theme_mapping
from recommendations.models import SourceTheme


class Command(BaseCommand):
    help = (
        "Apply the mapping of source themes (UPR Info's issues, OHCHR's themes) onto curated themes to the "
        "recommendations that carry them: each gets the curated themes its issues now map to and loses those a "
        "mapping gave it before but no longer gives. Every changed recommendation gets a version in its history. "
        "By default only the mappings changed since they were last applied; --all re-applies every one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Re-apply every mapping, not only the changed ones.")
        parser.add_argument(
            "--adopt-issue-themes",
            action="store_true",
            help="First move the themes that imports made before the mapping existed, one per UPR Info issue "
            "(“Freedom of association and peaceful assembly”), to the mapping: their rows keep the issue by name "
            "and get its curated themes; the issue-named themes, once unused, are deleted.",
        )
        parser.add_argument(
            "--vocabulary",
            choices=SourceTheme.Vocabulary.values,
            help="Only the source themes of this vocabulary.",
        )

    def handle(self, *args, **options):
        if options["adopt_issue_themes"]:
            try:
                adopted = theme_mapping.issue_themes_adopt()
            except services.ConcurrentEditError as error:
                raise CommandError(
                    f"Nothing was changed: “{error.instance}” was changed by someone else meanwhile; run it again."
                ) from None
            self.stdout.write(f"{adopted}.")
        scope = SourceTheme.objects.all() if options["all"] else theme_mapping.unapplied()
        if options["vocabulary"]:
            scope = scope.filter(vocabulary=options["vocabulary"])
        try:
            report = theme_mapping.themes_remap(source_themes=scope, reason="Theme mapping applied (remap_themes)")
        except services.ConcurrentEditError as error:
            raise CommandError(
                f"Nothing was changed: “{error.instance}” was changed by someone else meanwhile; run the command again."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{report}."))
