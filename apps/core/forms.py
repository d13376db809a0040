"""Form fields shared by every app."""

from django import forms

from apps.core.uploads import EVIDENCE_TYPES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (evidence, attachments, minutes); the service checks their
    size and content with apps.core.uploads.check_uploads."""

    def __init__(self, *args, **kwargs):
        accepted = ",".join(sorted({f".{ext}" for ext in EVIDENCE_TYPES.values()} | {".jpeg"}))
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accepted}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]
