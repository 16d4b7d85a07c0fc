"""Remove the files background jobs left behind (and, if asked, old finished jobs). Run it daily."""

from django.core.management.base import BaseCommand, CommandError

from recommendations.jobs.cleanup import jobs_cleanup


def _megabytes(size):
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


class Command(BaseCommand):
    help = (
        "Remove the uploaded files of imports that failed more than JOBS_INPUT_RETENTION days ago, export "
        "files past EXPORT_JOB_TTL, files in JOBS_INPUT_DIR / EXPORT_DIR no job names (once as old), "
        "and, with --delete-jobs-older-than, finished jobs older than that. Run it daily (cron, systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")
        parser.add_argument(
            "--delete-jobs-older-than",
            type=float,
            metavar="DAYS",
            help="Also delete finished jobs (done or failed) that finished more than DAYS days ago, with their files.",
        )

    def handle(self, *args, dry_run=False, delete_jobs_older_than=None, **options):
        if delete_jobs_older_than is not None and delete_jobs_older_than < 0:
            raise CommandError("--delete-jobs-older-than takes a number of days, 0 or more.")
        report = jobs_cleanup(dry_run=dry_run, delete_jobs_older_than=delete_jobs_older_than)
        verb = "Would remove" if dry_run else "Removed"
        if not report.files and not report.jobs_deleted:
            self.stdout.write("Nothing to clean up.")
            return
        self.stdout.write(f"{verb} {len(report.files)} file(s), {_megabytes(report.bytes)}:")
        for removal in report.files:
            self.stdout.write(f"  {removal.path} ({_megabytes(removal.size)}): {removal.why}")
        if report.jobs_deleted:
            verb = "Would delete" if dry_run else "Deleted"
            self.stdout.write(f"{verb} {len(report.jobs_deleted)} finished job(s):")
            for line in report.jobs_deleted:
                self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was removed.")
