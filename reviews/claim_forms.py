"""Forms of the desk's claim page. They validate input; reviews.services does the writing.

The citation checkboxes are built from the evidence and sources the page has already loaded,
so rendering a form costs no query of its own (the claim page keeps a fixed query count).
"""

from collections.abc import Sequence

from django import forms
from django.utils import timezone

from factcheck.models import Evidence
from factcheck.safe_urls import MAX_URL_LENGTH, UnsafeURLError, validate_public_url
from reviews.models import Source, Verdict


# Long enough for a whole Wikipedia sentence: the figure a reviewer cites is often at its end.
def _sentence_label(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class EvidenceChoiceField(forms.TypedMultipleChoiceField):
    """Checkboxes over the claim's evidence: the machine's and what reviewers attached."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        super().__init__(coerce=int, **kwargs)

    def set_evidence(self, evidence: Sequence[Evidence]) -> None:
        self.choices = [(e.pk, self.label_for(e)) for e in evidence]

    @staticmethod
    def label_for(evidence: Evidence) -> str:
        found = " (from a reviewer's search)" if evidence.added_by_id else ""
        sentence = _sentence_label(evidence.sentence)
        return f"#{evidence.rank} {evidence.page.title}{found}: {sentence}"


class SourceChoiceField(forms.TypedMultipleChoiceField):
    """Checkboxes over the sources reviewers added to the claim."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        super().__init__(coerce=int, **kwargs)

    def set_sources(self, sources: Sequence[Source]) -> None:
        self.choices = [
            (s.pk, f"{s.title} ({s.publisher or s.url}): {_sentence_label(s.quote)}")
            for s in sources
        ]


class VerdictForm(forms.Form):
    """The reviewer's verdict, submitted for an editor's approval (services.review_submit)."""

    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="What the evidence shows, in words a reader of the public page will follow.",
    )
    cited_evidence = EvidenceChoiceField(
        label="Cited evidence",
        help_text="Wikipedia sentences the rationale relies on, the machine's or found with "
        "the search; they are linked on the public page.",
    )
    cited_sources = SourceChoiceField(
        label="Cited sources",
        help_text="Your own sources the rationale relies on.",
    )

    def __init__(self, *args, evidence: Sequence[Evidence], sources: Sequence[Source], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_evidence"].set_evidence(evidence)
        self.fields["cited_sources"].set_sources(sources)

    def clean_rationale(self) -> str:
        rationale = self.cleaned_data["rationale"].strip()
        if not rationale:
            raise forms.ValidationError("Say what the evidence shows.")
        return rationale


class CorrectionForm(VerdictForm):
    """An editor's change to a published verdict (services.review_correct): readers see the
    reason beside the earlier version."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What was wrong or what changed; it is published with the correction.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the verdict changes: readers will see it.")
        return reason


def _public_url(value: str) -> str:
    try:
        return validate_public_url(value)
    except UnsafeURLError as exc:
        message = str(exc)
        raise forms.ValidationError(message[:1].upper() + message[1:] + ".") from None


class SourceForm(forms.Form):
    """A source the reviewer found beyond the machine's evidence (services.source_add)."""

    url = forms.CharField(
        label="Link",
        max_length=MAX_URL_LENGTH,
        help_text="An http or https link to the document, the report, or where a statement "
        "obtained by phone is recorded.",
    )
    title = forms.CharField(max_length=500)
    publisher = forms.CharField(max_length=300, required=False)
    quote = forms.CharField(
        label="Quoted passage",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="The passage the verdict relies on, quoted exactly.",
    )
    accessed_on = forms.DateField(
        label="Date accessed",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    archived_url = forms.CharField(
        label="Archived copy",
        max_length=MAX_URL_LENGTH,
        required=False,
        help_text="Optional: a copy at web.archive.org or archive.today, in case the page changes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accessed_on"].initial = timezone.localdate

    def clean_url(self) -> str:
        return _public_url(self.cleaned_data["url"])

    def clean_archived_url(self) -> str:
        value = self.cleaned_data["archived_url"].strip()
        return _public_url(value) if value else ""


class AttachForm(forms.Form):
    """One sentence of a search result (services.evidence_attach reads it from the page)."""

    page_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sentence_index = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    q = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label="Note to the reviewer",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What to change before it can be published; the reviewer is e-mailed.",
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Why the verdict is taken down; the next publication carries this reason.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="For the desk only; never public.",
    )


class ClaimantForm(forms.Form):
    claimant = forms.CharField(
        max_length=300, help_text="The person or organisation who made the claim, in full."
    )
    cue = forms.CharField(
        max_length=100,
        required=False,
        help_text='How they made it: "said", "announced", "wrote".',
    )
