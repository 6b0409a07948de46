"""Forms of the review queue. They validate input; the services do the writing."""

from django import forms
from django.db.models import QuerySet

from factcheck.models import Evidence
from reviews.models import Verdict
from reviews.selectors import desk_users


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        sentence = obj.sentence if len(obj.sentence) <= 160 else obj.sentence[:157] + "..."
        return f"#{obj.rank} {obj.page.title}: {sentence}"


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="What the evidence shows, in words a reader of the public page will follow.",
    )
    cited_evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The sentences the rationale relies on; they are linked on the public page.",
    )

    def __init__(self, *args, evidence: QuerySet[Evidence], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_evidence"].queryset = evidence

    def clean_rationale(self) -> str:
        rationale = self.cleaned_data["rationale"].strip()
        if not rationale:
            raise forms.ValidationError("Say what the evidence shows.")
        return rationale


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=desk_users(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh queryset per form: desk membership changes while the process runs.
        self.fields["assignee"].queryset = desk_users()
