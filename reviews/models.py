"""Review of a claim: who has it, the verdict, and the editor's approval for publication.

One review per claim (a database constraint). Every change goes through reviews.services,
which writes an AuditEntry in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from factcheck.models import Article, Claim, Evidence
from factcheck.safe_urls import MAX_URL_LENGTH, public_url_validator


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    UNSUPPORTED = "unsupported", "Unsupported"
    MISATTRIBUTED = "misattributed", "Misattributed"


class DismissReason(models.TextChoices):
    NOT_CHECKABLE = "not_checkable", "Not checkable"
    OPINION = "opinion", "Opinion"
    DUPLICATE = "duplicate", "Duplicate"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    OTHER = "other", "Other (see note)"


def http_url_check(field: str, name: str, *, blank: bool) -> models.CheckConstraint:
    """The database's copy of safe_urls: only http(s) links are ever stored."""
    condition = Q(**{f"{field}__istartswith": "http://"}) | Q(
        **{f"{field}__istartswith": "https://"}
    )
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


class Source(models.Model):
    """A source the reviewer found beyond the machine's evidence: an official document, other
    reporting, a statement obtained by phone (then the URL is where it is recorded)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=MAX_URL_LENGTH, validators=[public_url_validator])
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=300, blank=True)
    quote = models.TextField(help_text="The passage the verdict relies on, quoted exactly.")
    accessed_on = models.DateField()
    archived_url = models.URLField(
        max_length=MAX_URL_LENGTH, blank=True, validators=[public_url_validator]
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "id"]
        constraints = [
            http_url_check("url", "source_url_is_http", blank=False),
            http_url_check("archived_url", "source_archived_url_is_http", blank=True),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            models.CheckConstraint(condition=~Q(quote=""), name="source_quote_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher or self.url})"


class Review(models.Model):
    """The desk's record of one claim: its assignment, its verdict, its triage.

    States (the two-person rule): assigned -> submitted -> returned (an editor's note) ->
    submitted -> published, by an editor who is not the reviewer. A dismissed claim (triage)
    keeps its state but leaves the queue's default view until an editor restores it.
    """

    class State(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        SUBMITTED = "submitted", "Awaiting approval"
        RETURNED = "returned", "Returned to reviewer"
        PUBLISHED = "published", "Published"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(max_length=20, choices=State.choices, default=State.ASSIGNED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reviews",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # The editor's priority; empty means the machine's (Claim.priority) stands.
    priority = models.CharField(max_length=6, choices=Claim.Priority.choices, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    rationale = models.TextField(blank=True)
    cited_evidence = models.ManyToManyField(Evidence, blank=True, related_name="citing_reviews")
    cited_sources = models.ManyToManyField(Source, blank=True, related_name="citing_reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_reviews",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Why the published verdict was taken down; the next publication is a correction with
    # this reason (the public page says so).
    correction_reason = models.TextField(blank=True)
    dismissed_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    dismissed_note = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            # Published verdicts, newest first: the public lists and feeds, and their counts.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(state="published"),
                name="review_published_newest",
            ),
            # The workload page: each desk member's work in hand, awaiting approval, overdue.
            models.Index(
                fields=["assignee", "state", "due_on"],
                condition=Q(dismissed_reason=""),
                name="review_work_by_assignee",
            ),
        ]
        permissions = [
            ("assign_review", "Can assign claims to other reviewers"),
            ("publish_review", "Can publish and unpublish verdicts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="assigned") | (~Q(verdict="") & ~Q(rationale="")),
                name="review_decision_has_verdict_and_rationale",
            ),
            models.CheckConstraint(
                condition=Q(published=False)
                | (Q(state="published") & Q(published_at__isnull=False)),
                name="review_published_flag_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(dismissed_reason="") | ~Q(state="published"),
                name="review_published_not_dismissed",
            ),
            models.CheckConstraint(
                condition=~Q(dismissed_reason="other") | ~Q(dismissed_note=""),
                name="review_dismissed_other_has_note",
            ),
            models.CheckConstraint(
                condition=Q(state="assigned") | Q(assignee__isnull=False),
                name="review_worked_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of claim {self.claim_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("verdict_detail", args=[self.pk])

    @property
    def is_dismissed(self) -> bool:
        return bool(self.dismissed_reason)

    @property
    def effective_priority(self) -> str:
        return self.priority or self.claim.priority


class ReviewTransition(models.Model):
    """One change of a review's state: who, when, and their comment (as Wagtail's task states
    keep them). The desk's timeline reads these; the audit log has the same facts."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The workload page's "decided in the last days", per desk member.
            models.Index(
                fields=["actor", "at"],
                include=["review"],
                condition=Q(to_state__in=["submitted", "published"]),
                name="transition_decisions_by_actor",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_state="returned") | ~Q(comment=""),
                name="transition_return_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class PublishedVersion(models.Model):
    """Every published version of a verdict, kept for the corrections policy: the first
    publication, then each correction (the verdict changed) or update (its wording or
    citations changed), with the editor's reason."""

    class Kind(models.TextChoices):
        FIRST = "first", "First published"
        CORRECTION = "correction", "Corrected"
        UPDATE = "update", "Updated"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    rationale = models.TextField()
    # What was cited, as the reader saw it: [{"kind": "evidence"|"source", "id", "title",
    # "url", "quote"}]. A copy, so later edits to a source cannot rewrite history.
    citations = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["review_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="version_unique_number"),
            models.CheckConstraint(
                condition=Q(kind="first") | ~Q(reason=""), name="version_change_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of review {self.review_id}"


class ClaimNote(models.Model):
    """The desk's conversation about a claim. Never public."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="note_text_not_empty")]

    def __str__(self) -> str:
        return f"Note {self.pk} on claim {self.claim_id}"


class ClaimantCorrection(models.Model):
    """A reviewer's correction of who made a claim and how, kept beside the machine's values
    (Claim.claimant / Claim.cue stay as extracted), so corrections can become training data."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, related_name="claimant_correction"
    )
    claimant = models.CharField(max_length=300)
    cue = models.CharField(max_length=100, blank=True)
    machine_claimant = models.CharField(max_length=300, blank=True)
    machine_cue = models.CharField(max_length=100, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.machine_claimant or '-'} -> {self.claimant} (claim {self.claim_id})"


class QueueClaim(Claim):
    """The review queue's view of a claim.

    A proxy, so the queue has its own admin URL (admin/reviews/queueclaim/) and its own
    permissions (view_queueclaim, change_queueclaim) that the desk groups hold, without
    touching factcheck.Claim or granting anything on it.
    """

    class Meta:
        proxy = True
        verbose_name = "claim in queue"
        verbose_name_plural = "claims in queue"


class AuditEntry(models.Model):
    """An append-only record of who changed what, written in the same transaction as the change.

    On PostgreSQL a trigger refuses UPDATE and DELETE of these rows (migration 0005), so no
    deletion elsewhere may touch them. Hence the targets: article, claim and review keep the id
    of what they refer to after it is deleted (no database constraint, nothing done on delete),
    so a deleted article leaves its history readable; the target may therefore be missing. A
    user with audit history cannot be deleted (PROTECT): deactivate them instead.
    """

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=50)
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
