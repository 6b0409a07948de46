import calendar
import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import timezone

from factcheck.ingestion import clean_line
from factcheck.public_selectors import VerdictSearch
from factcheck.safe_urls import MAX_URL_LENGTH, public_url_validator
from reviews.models import Verdict

# An article dated a day ahead can be right (the outlet's time zone is ahead of ours); more
# is a typo.
PUBLISHED_ON_MAX_DAYS_AHEAD = 1
PUBLISHED_ON_EARLIEST = dt.date(1800, 1, 1)
# Search dates outside these are typos; the bounds also keep day arithmetic off date.max.
SEARCH_EARLIEST = dt.date(1900, 1, 1)
SEARCH_LATEST = dt.date(2999, 12, 31)
SEARCH_DATE_VALIDATORS = [
    MinValueValidator(SEARCH_EARLIEST, "Give a date from 1900 on."),
    MaxValueValidator(SEARCH_LATEST, "Give a date before the year 3000."),
]


class ArticleUploadForm(forms.Form):
    """Add an article from a file, or from pasted text; both go through the same ingestion.
    The metadata fields, when filled in, replace what ingestion found in the document."""

    file = forms.FileField(required=False, help_text="A .txt, .md or .html file.")
    pasted_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="Or paste the article's text; its first heading or line becomes the title.",
    )
    published_on = forms.DateField(
        required=False,
        label="Date published",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the outlet published the article (YYYY-MM-DD); the verdicts' "
        "ClaimReview markup gives it as the date of the claim.",
    )
    byline = forms.CharField(
        required=False, max_length=300, help_text="Who wrote the article, as the outlet says."
    )
    outlet = forms.CharField(required=False, max_length=200, help_text="The publication.")
    source_url = forms.URLField(
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
        validators=[public_url_validator],  # http(s) only, no user name or password
        label="Source URL",
        help_text="Where the article is published (http or https).",
    )

    def clean_byline(self) -> str:
        # One line, as ingestion cleans what it finds in a document.
        return clean_line(self.cleaned_data.get("byline") or "")

    def clean_outlet(self) -> str:
        return clean_line(self.cleaned_data.get("outlet") or "")

    def clean_published_on(self) -> dt.date | None:
        published_on = self.cleaned_data.get("published_on")
        if published_on is None:
            return None
        latest = timezone.localdate() + dt.timedelta(days=PUBLISHED_ON_MAX_DAYS_AHEAD)
        if published_on > latest:
            raise forms.ValidationError("The date is in the future; give the day it appeared.")
        if published_on < PUBLISHED_ON_EARLIEST:
            raise forms.ValidationError(
                f"The date is before {PUBLISHED_ON_EARLIEST.year}; check the year."
            )
        return published_on

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("pasted_text") or "").strip():
            raise forms.ValidationError("Choose a file or paste the article's text.")
        if cleaned.get("file") and (cleaned.get("pasted_text") or "").strip():
            raise forms.ValidationError("Give a file or pasted text, not both.")
        return cleaned


class VerdictSearchForm(forms.Form):
    """The search and filters of /verdicts/ (a GET form: the URL is the search, to share or
    bookmark). A month, or a from/to range, bounds the day the verdict was first published."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search verdicts",
        help_text="Words from the claim, who made it, or our explanation.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    verdict = forms.ChoiceField(
        required=False, choices=[("", "Any verdict"), *Verdict.choices], label="Verdict"
    )
    claimant = forms.CharField(
        required=False,
        max_length=300,
        label="Claim made by",
        help_text="A person or organisation, or part of the name.",
    )
    published_from = forms.DateField(
        required=False,
        label="Verdict published from",
        validators=SEARCH_DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_to = forms.DateField(
        required=False,
        label="Verdict published to",
        validators=SEARCH_DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    month = forms.CharField(
        required=False,
        label="Or in the month",
        help_text="YYYY-MM",
        validators=[
            RegexValidator(
                r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$", "Give the month as YYYY-MM, from 1900 on."
            )
        ],
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if cleaned.get("month") and (start or end):
            raise forms.ValidationError("Give a month or a date range, not both.")
        if start and end and start > end:
            raise forms.ValidationError("The range ends before it starts; swap the dates.")
        return cleaned

    def search(self) -> VerdictSearch:
        """The validated search; call after is_valid()."""
        data = self.cleaned_data
        start, end = data.get("published_from"), data.get("published_to")
        if data.get("month"):
            year, month = (int(part) for part in data["month"].split("-"))
            start = dt.date(year, month, 1)
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
        return VerdictSearch(
            text=data.get("q") or "",
            verdict=data.get("verdict") or "",
            claimant=data.get("claimant") or "",
            published_from=start,
            published_to=end,
        )
