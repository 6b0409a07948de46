from django import forms

from factcheck.safe_urls import MAX_URL_LENGTH, public_url_validator


class ArticleUploadForm(forms.Form):
    """Add an article from a file, or from pasted text; both go through the same ingestion."""

    file = forms.FileField(required=False, help_text="A .txt, .md or .html file.")
    pasted_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="Or paste the article's text; its first heading or line becomes the title.",
    )
    outlet = forms.CharField(required=False, max_length=200)
    source_url = forms.URLField(
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
        validators=[public_url_validator],  # http(s) only, no user name or password
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("pasted_text") or "").strip():
            raise forms.ValidationError("Choose a file or paste the article's text.")
        if cleaned.get("file") and (cleaned.get("pasted_text") or "").strip():
            raise forms.ValidationError("Give a file or pasted text, not both.")
        return cleaned
