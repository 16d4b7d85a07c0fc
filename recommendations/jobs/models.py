"""The record of a background job: what it does, who started it, how far it got, what came of it.

The task queue (``django_tasks``) only runs code; this row is what curators see in the admin
(*Jobs*), what a rerun resumes from, and what a finished job links to. Imported by
``recommendations.models`` so that it belongs to the app.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobInputStorage(FileSystemStorage):
    """``JOBS_INPUT_DIR``, read at each use (a storage made once, when the model is defined, would
    keep the directory of that moment: a test's or a command's setting would be ignored)."""

    @property
    def base_location(self):
        return str(settings.JOBS_INPUT_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def job_input_storage():
    """Where a job's input file waits for the worker (``JOBS_INPUT_DIR``)."""
    return JobInputStorage()


class Job(models.Model):
    """One background job. Its writes commit in batches together with ``done`` and ``cursor``,
    so the row always says exactly how much of the work is in the database; a rerun continues
    from ``cursor``."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", "Publish recommendations"
        UNPUBLISH = "unpublish", "Withdraw recommendations to draft"
        ARCHIVE = "archive", "Archive recommendations"
        RESTORE = "restore", "Restore recommendations"
        PUBLISH_STATUS_UPDATES = "publish_status_updates", "Publish status updates"
        ASSESS = "assess", "Bulk assessment"
        EXPORT = "export", "Spreadsheet export"
        IMPORT_UPR = "import_upr", "UPR import"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    description = models.CharField(max_length=300, blank=True, help_text="What it works on, in words.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True, help_text="The job's input (e.g. the selected ids).")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="Rows handled and committed.")
    changed = models.PositiveIntegerField(default=0, help_text="Rows the job changed (the others already were).")
    cursor = models.PositiveIntegerField(default=0, help_text="Where a rerun continues.")
    changed_ids = models.JSONField(default=list, blank=True, help_text="The rows it changed, for the admin's link.")
    errors = models.JSONField(default=list, blank=True, help_text="Rows refused, with why.")
    outcome = models.TextField(blank=True)
    input_file = models.FileField(
        upload_to="%Y/%m/",
        storage=job_input_storage,
        blank=True,
        max_length=300,
        help_text="The file the job reads (an uploaded import), kept until it has been imported.",
    )
    result_file = models.CharField(max_length=300, blank=True, help_text="A file it wrote (an export).")
    task_id = models.CharField(max_length=64, blank=True, help_text="The task queue's id of the latest run.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last committed progress.")
    finished_at = models.DateTimeField(null=True, blank=True)
    file_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When ``manage.py cleanup_jobs`` removed its file (input or result)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    # Meta's body cannot see the choices nested above it.
    Meta.constraints = [
        models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=Kind.values)),
        models.CheckConstraint(name="%(app_label)s_%(class)s_state_valid", condition=Q(state__in=State.values)),
    ]

    def __str__(self):
        return f"Job {self.pk}: {self.get_kind_display()} ({self.get_state_display().lower()})"

    @property
    def is_finished(self):
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def error_count(self):
        return len(self.errors)

    @property
    def elapsed(self):
        """Running time so far (or in all, once finished), or None before it starts."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def file_removed_after(self):
        """How long after the job finished its file was removed (None if it was not)."""
        if self.file_removed_at is None:
            return None
        return self.file_removed_at - (self.finished_at or self.created_at)

    def is_stale(self, now=None):
        """Running, but no progress committed for ``JOBS_STALE_AFTER`` seconds: its worker died."""
        if self.state != self.State.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at
        now = now or timezone.now()
        return last is None or (now - last).total_seconds() >= settings.JOBS_STALE_AFTER
