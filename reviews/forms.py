"""Forms of the review queue. They validate input; the services do the writing."""

from datetime import date

from django import forms
from django.utils import timezone

from factcheck.models import Claim
from reviews.models import DismissReason
from reviews.selectors import desk_users


class AssignForm(forms.Form):
    """Assign to…: a desk member, and optionally a due date and a priority (editors only)."""

    assignee = forms.ModelChoiceField(queryset=desk_users(), empty_label=None, label="Reviewer")
    due_on = forms.DateField(
        required=False,
        label="Due on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. Leave empty to keep the claims' due dates as they are.",
    )
    priority = forms.ChoiceField(
        required=False,
        choices=[("", "Keep as it is"), *Claim.Priority.choices],
        help_text="Optional. Overrides the machine's estimate of how much the claim matters.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh queryset per form: desk membership changes while the process runs.
        self.fields["assignee"].queryset = desk_users()

    def clean_due_on(self) -> date | None:
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError("That date has passed; choose today or a later day.")
        return due_on


class DismissForm(forms.Form):
    """Dismiss…: why these claims leave the queue. "Other" needs a note saying why."""

    reason = forms.ChoiceField(choices=DismissReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='Required for "Other"; kept with the claim for the desk, never public.',
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["note"] = cleaned.get("note", "").strip()
        if cleaned.get("reason") == DismissReason.OTHER and not cleaned["note"]:
            self.add_error("note", 'Say why: dismissing for "Other" needs a note.')
        return cleaned
