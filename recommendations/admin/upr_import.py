"""The admin's "Import recommendations" page: upload a file, see what the import would change,
confirm.

The preview is a dry run of ``importers.import_file``; the confirmation queues the import as a
background job (``jobs.imports``) that runs it for real in a worker (it plans again, from the
database as it is then, and refuses if a row changed while it writes), so the admin follows
exactly the rules of ``manage.py import_recommendations`` and no request waits for the writes.
Between the two steps the file waits in ``settings.IMPORT_UPLOAD_DIR`` under a random name; the
page carries only a signed token with that name, the file's SHA-256 and the uploader, so a
confirmation cannot point at another file, import a file that changed since its preview, or be
replayed by another user. Only users who may both add and change recommendations see the page.
"""

import dataclasses
import hashlib
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ..importers import FORMATS, ImportRefused, import_file, summary, unmapped_summary, unresolved_summary
from ..jobs.imports import import_arguments, import_job_queue
from ..permissions import PUBLISH_RECOMMENDATION, VIEW_JOB
from ..text_encoding import EncodingError, canonical_encoding
from .jobs import job_link

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # UPR Info's whole database is well under this
UPLOAD_MAX_AGE = 24 * 60 * 60  # seconds a preview can be confirmed; older files are removed
PREVIEW_ROWS = 50
TOKEN_SALT = "recommendations.upr-import"
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.upload$")


class UprUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A UPR Info export (CSV, TSV, XLS or XLSX) or another format listed below.",
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("auto", "Recognise it")],
        initial="auto",
        help_text="Leave it to recognise the format from the file's contents.",
    )
    state_under_review = forms.CharField(
        required=False,
        max_length=100,
        help_text="Import only this state's rows (its name or ISO code), or name the state a file is about.",
    )
    encoding = forms.CharField(
        required=False,
        max_length=40,
        help_text="Leave empty to detect it (UTF-8, Windows-1252, Mac Roman…), or name it, e.g. mac_roman.",
    )
    assessed_by = forms.SlugField(
        required=False,
        max_length=120,
        label="Assessments by",
        help_text="For an OHCHR list whose assessment column your organisation filled in: the slug of the actor "
        "whose assessments they are (they become draft status updates).",
    )
    assessed_on = forms.DateField(
        required=False, label="Assessed on", help_text="The date of those assessments (YYYY-MM-DD)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("auto", "Recognise it"), *((name, f.label) for name, f in FORMATS.items())]

    def clean_format(self):
        return self.cleaned_data["format"] or "auto"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        return upload

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"].strip()
        if not encoding:
            return None
        try:
            return canonical_encoding(encoding)
        except EncodingError as error:
            raise forms.ValidationError(str(error)) from None


class PendingUploadError(Exception):
    """The confirmation does not match a file waiting for import."""


@dataclasses.dataclass(frozen=True)
class PendingUpload:
    """An uploaded file waiting between its preview and the confirmation."""

    token: str
    file_name: str
    options: dict  # format, state_under_review, encoding: as given on the form
    content: bytes
    rows: int = 0  # the preview's count of the file's rows: the job's total

    @classmethod
    def store(cls, *, content: bytes, file_name: str, options: dict, user, rows: int = 0) -> "PendingUpload":
        directory = Path(settings.IMPORT_UPLOAD_DIR)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove_stale(directory)
        name = f"{secrets.token_hex(16)}.upload"
        (directory / name).write_bytes(content)
        (directory / name).chmod(0o600)
        token = signing.dumps(
            {
                "name": name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_name": file_name,
                "options": options,
                "user": user.pk,
                "rows": rows,
            },
            salt=TOKEN_SALT,
        )
        return cls(token, file_name, options, content, rows)

    @classmethod
    def load(cls, *, token: str, user) -> "PendingUpload":
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=UPLOAD_MAX_AGE)
        except signing.SignatureExpired:
            raise PendingUploadError("This preview has expired; upload the file again.") from None
        except signing.BadSignature:
            raise PendingUploadError("This confirmation is not valid; upload the file again.") from None
        if data.get("user") != user.pk or not _UPLOAD_NAME.match(data.get("name", "")):
            raise PendingUploadError("This confirmation is not valid; upload the file again.")
        try:
            content = (Path(settings.IMPORT_UPLOAD_DIR) / data["name"]).read_bytes()
        except OSError:
            raise PendingUploadError(
                "The uploaded file is no longer there (was it already imported?); upload it again."
            ) from None
        if hashlib.sha256(content).hexdigest() != data["sha256"]:
            raise PendingUploadError("The uploaded file changed after its preview; upload it again.")
        return cls(token, data["file_name"], data["options"], content, data.get("rows", 0))

    def discard(self) -> None:
        data = signing.loads(self.token, salt=TOKEN_SALT)
        (Path(settings.IMPORT_UPLOAD_DIR) / data["name"]).unlink(missing_ok=True)


def _remove_stale(directory: Path) -> None:
    """Remove uploads whose preview was never confirmed."""
    limit = time.time() - UPLOAD_MAX_AGE
    for stale in directory.glob("*.upload"):
        try:
            if stale.stat().st_mtime < limit:
                stale.unlink()
        except OSError:
            continue  # removed by a concurrent request


class UprImportAdminMixin:
    """Adds the import page to the Recommendation admin and a link to it on the changelist."""

    upr_import_template = "admin/recommendations/recommendation/import_upr.html"

    def get_urls(self):
        urls = [
            path(
                "import-upr/",
                self.admin_site.admin_view(self.import_upr_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_upr",
            )
        ]
        return urls + super().get_urls()

    def has_upr_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_upr_import_permission": self.has_upr_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_upr_view(self, request):
        if not self.has_upr_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._import_upr_confirm(request)
        form = UprUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            options = {
                name: form.cleaned_data[name] for name in ("format", "state_under_review", "encoding", "assessed_by")
            }
            # Kept in the signed confirmation token, which holds JSON: the date as text.
            options["assessed_on"] = (
                form.cleaned_data["assessed_on"].isoformat() if form.cleaned_data["assessed_on"] else ""
            )
            content = upload.read()
            try:
                report = import_file(
                    content=content, file_name=upload.name, dry_run=True, user=request.user, **import_arguments(options)
                )
            except (ImportRefused, PermissionDenied) as error:
                form.add_error(
                    "file",
                    f"{upload.name}: {error} Nothing was imported." if isinstance(error, ImportRefused) else str(error),
                )
            else:
                pending = PendingUpload.store(
                    content=content, file_name=upload.name, options=options, user=request.user, rows=report.rows
                )
                return self._render_import(request, pending=pending, report=report)
        return self._render_import(request, form=form)

    def _import_upr_confirm(self, request):
        try:
            pending = PendingUpload.load(token=request.POST["token"], user=request.user)
        except PendingUploadError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)
        try:
            job = import_job_queue(
                content=pending.content,
                file_name=pending.file_name,
                options=pending.options,
                user=request.user,
                publish=request.POST.get("publish") == "on",
                rows=pending.rows,
            )
        except PermissionDenied as error:
            self.message_user(request, f"{pending.file_name}: {error} Nothing was imported.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        finally:
            pending.discard()  # the job holds its own copy
        self.message_user(
            request,
            format_html(
                "{} is queued as {}: a worker imports it in the background, all or nothing. "
                "Its page shows the progress and, when it is done, links to the rows it changed.",
                pending.file_name,
                job_link(job),
            ),
            messages.SUCCESS,
        )
        if request.user.has_perm(VIEW_JOB):
            return HttpResponseRedirect(reverse("admin:recommendations_job_change", args=[job.pk]))
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def _render_import(self, request, *, form=None, pending=None, report=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import recommendations",
            "form": form,
            "pending": pending,
            "report": report,
            # The publish rule (bulk.recommendations_check_publish): a reviewer publishing rows
            # they import themselves is self-review, offered only where the organisation allows it.
            "can_publish": request.user.has_perm(PUBLISH_RECOMMENDATION) and settings.ALLOW_SELF_REVIEW,
            "formats": FORMATS.values(),
        }
        if report is not None:
            context.update(
                summary=summary(report),
                unresolved=unresolved_summary(report),
                unmapped=unmapped_summary(report),
                states=sorted(report.per_state.items(), key=lambda item: item[0].casefold()),
                totals=report.totals,
                # Updates first: they change what curators may already have looked at.
                preview_changes=sorted(report.changes, key=lambda change: (change.action != "update", change.number))[
                    :PREVIEW_ROWS
                ],
            )
        return TemplateResponse(request, self.upr_import_template, context)
