"""Removing what jobs leave on disk, and old job rows (``manage.py cleanup_jobs``).

- the uploaded file of an import that did not finish well (failed) is kept
  ``JOBS_INPUT_RETENTION`` days after it stopped, so that *Run again* can use it, then removed;
- an export job's file is removed once past its expiry (``export.expired_export_jobs``);
- a file in ``JOBS_INPUT_DIR`` or ``EXPORT_DIR`` that no job names (a job deleted by hand, the
  ``.part`` file of an export whose worker was killed) is removed once older than the same
  retention;
- optionally, finished jobs older than N days are deleted with their files.

The job row says when its file was removed (``file_removed_at``), so its admin page explains the
missing file instead of offering a broken link. A queued or running job's files are never
touched: the row is updated first, only while the job is still finished with that file, and the
file removed after — a job queued again meanwhile keeps its file.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .export import expired_export_jobs
from .models import Job

FINISHED = (Job.State.SUCCEEDED, Job.State.FAILED)


@dataclass
class Removal:
    path: Path
    size: int
    why: str


@dataclass
class CleanupReport:
    files: list[Removal] = field(default_factory=list)
    jobs_deleted: list[str] = field(default_factory=list)

    @property
    def bytes(self):
        return sum(removal.size for removal in self.files)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _age(job: Job, now) -> str:
    days = (now - (job.finished_at or job.created_at)).days
    return f"{days} day{'s' if days != 1 else ''}"


def _remove_job_file(job: Job, *, column: str, path: Path, why: str, now, dry_run: bool, report: CleanupReport):
    """Forget the job's file (only if the job is still finished with it), then delete it."""
    if not dry_run:
        forgotten = Job.objects.filter(pk=job.pk, state__in=FINISHED, **{column: getattr(job, column)}).update(
            **{column: ""}, file_removed_at=now
        )
        if not forgotten:
            return  # queued again (or cleaned) meanwhile: it keeps its file
    report.files.append(Removal(path, _size(path), why))
    if not dry_run:
        path.unlink(missing_ok=True)


def _input_path(job: Job) -> Path:
    return Path(job.input_file.path)


def _orphans(directory: Path, known: set[str], older_than: datetime.datetime, *, recursive: bool):
    if not directory.is_dir():
        return
    cutoff = older_than.timestamp()
    for path in sorted(directory.rglob("*") if recursive else directory.iterdir()):
        if not path.is_file():
            continue
        name = path.relative_to(directory).as_posix()
        try:
            stale = path.stat().st_mtime < cutoff
        except OSError:
            continue
        if name not in known and stale:
            yield path


def jobs_cleanup(*, now=None, dry_run: bool = False, delete_jobs_older_than: float | None = None) -> CleanupReport:
    """Remove the files (and, if asked, the rows) of jobs past their retention; what was removed
    (or, with ``dry_run``, what would be)."""
    now = now or timezone.now()
    report = CleanupReport()
    input_cutoff = now - datetime.timedelta(days=settings.JOBS_INPUT_RETENTION)
    export_cutoff = now - datetime.timedelta(hours=settings.EXPORT_JOB_TTL)

    if delete_jobs_older_than is not None:
        old = Job.objects.filter(
            state__in=FINISHED, finished_at__lt=now - datetime.timedelta(days=delete_jobs_older_than)
        )
        for job in old.order_by("pk"):
            for path in filter(
                None,
                [
                    _input_path(job) if job.input_file else None,
                    Path(settings.EXPORT_DIR) / job.result_file if job.result_file else None,
                ],
            ):
                report.files.append(Removal(path, _size(path), f"file of job {job.pk}, deleted with it"))
                if not dry_run:
                    path.unlink(missing_ok=True)
            report.jobs_deleted.append(f"{job} — finished {_age(job, now)} ago: {job.description}")
        if not dry_run:
            old.delete()

    finished_inputs = Job.objects.filter(state__in=FINISHED, finished_at__lt=input_cutoff).exclude(input_file="")
    for job in finished_inputs.order_by("pk"):
        why = f"input of {job} ({job.description}), finished {_age(job, now)} ago"
        _remove_job_file(
            job, column="input_file", path=_input_path(job), why=why, now=now, dry_run=dry_run, report=report
        )

    for job in expired_export_jobs(now).order_by("pk"):
        why = f"export of {job} ({job.description}), finished {_age(job, now)} ago"
        path = Path(settings.EXPORT_DIR) / job.result_file
        _remove_job_file(job, column="result_file", path=path, why=why, now=now, dry_run=dry_run, report=report)

    # Files no job names any more. Read the names after the removals above, so that a dry run
    # does not list a file twice.
    named = Job.objects.filter(~Q(input_file="") | ~Q(result_file=""))
    listed = {removal.path for removal in report.files}
    inputs = {name for name in named.values_list("input_file", flat=True) if name}
    results = {name for name in named.values_list("result_file", flat=True) if name}
    for directory, known, cutoff, recursive, what in (
        (Path(settings.JOBS_INPUT_DIR), inputs, input_cutoff, True, "JOBS_INPUT_RETENTION"),
        (Path(settings.EXPORT_DIR), results, export_cutoff, False, "EXPORT_JOB_TTL"),
    ):
        for path in _orphans(directory, known, cutoff, recursive=recursive):
            if path in listed:
                continue
            report.files.append(Removal(path, _size(path), f"no job names it, older than {what}"))
            if not dry_run:
                path.unlink(missing_ok=True)
    return report
