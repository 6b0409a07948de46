"""Review of a claim: who has it, the verdict, and the editor's approval for publication.

One review per claim (a database constraint). Every change goes through reviews.services,
which writes an AuditEntry in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from factcheck.models import Article, Claim, Evidence


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    UNSUPPORTED = "unsupported", "Unsupported"
    MISATTRIBUTED = "misattributed", "Misattributed"


class Review(models.Model):
    class State(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        DECIDED = "decided", "Verdict recorded"
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
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    rationale = models.TextField(blank=True)
    cited_evidence = models.ManyToManyField(Evidence, blank=True, related_name="citing_reviews")
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
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
        ]

    def __str__(self) -> str:
        return f"Review of claim {self.claim_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("verdict_detail", args=[self.pk])


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
