"""Admin forms. Validation reuses the service layer's checks so the admin and the API refuse
the same input with the same message."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from . import quotes, services
from .models import Citation, SourceDocument, StatusUpdate


class StatusUpdateWithCitationForm(forms.ModelForm):
    """Records a status update together with its first citation in one form."""

    document = forms.ModelChoiceField(
        queryset=SourceDocument.objects.all(),
        help_text="The source document that supports this assessment.",
    )
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Copy the supporting words verbatim from the document; line breaks and spacing may differ.",
    )
    location = forms.CharField(required=False, max_length=200, help_text="Where in the document, e.g. “paragraph 9”.")

    class Meta:
        model = StatusUpdate
        fields = [
            "recommendation",
            "status",
            "as_of",
            "as_of_precision",
            "as_of_basis",
            "date_note",
            "summary",
            "assessor_kind",
            "assessed_by",
        ]

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            field = self.fields["document"]
            field.widget = AutocompleteSelect(Citation._meta.get_field("document"), admin_site)
            field.widget.choices = field.choices  # a widget set after the field is built needs them passed on

    def clean(self):
        cleaned = super().clean()
        document, quote = cleaned.get("document"), cleaned.get("quote")
        if document is not None and quote:
            try:
                services.citations_validate([services.CitationInput(document=document, quote=quote)])
            except ValidationError as error:
                self.add_error("quote", error.message_dict["citations"])
                # The admin offers the closest passage with one click ("Use this passage").
                passage = quotes.closest_passage(document.text, quote)
                if passage is not None:
                    self.fields["quote"].widget.attrs["data-closest-passage"] = passage.text
        return cleaned

    def citation_input(self):
        data = self.cleaned_data
        return services.CitationInput(document=data["document"], quote=data["quote"], location=data["location"])


class OptimisticLockForm(forms.ModelForm):
    """Carries the version the editor started from; saving is refused if the row has moved on
    since (checked here for a friendly form error, and again atomically by the service)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    CONFLICT = (
        "Someone else saved a change to this {what} after you opened it. Your changes have not been saved: "
        "open the {what} again in a new tab to see what changed, then make your changes there."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The version in the database now, not the instance's: a revert form starts from a
            # historical instance whose own version number is old.
            self.fields["expected_version"].initial = self.current_version()

    def current_version(self):
        model = self._meta.model
        return model.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and cleaned.get("expected_version") != self.current_version():
            raise ValidationError(self.CONFLICT.format(what=self._meta.model._meta.verbose_name))
        return cleaned
