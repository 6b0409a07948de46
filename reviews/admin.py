"""The review queue: the Django admin as a staff tool over QueueClaim (a proxy of Claim).

Only desk members (staff in the Reviewer or Editor group, or superusers) see it. Nothing here
writes a model directly: actions and the claim page call reviews.services, so every change has
its audit entry. The claim itself (text, offsets, scores) is never editable.

Its filters, and the addresses and titles of filtered views, are in reviews/queue_filters.py;
its list (facet counts, row links) in reviews/queue_changelist.py; the workload page and the
admin's front page ("My work" for reviewers) in reviews/desk_pages.py.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from factcheck.models import Article, Claim
from factcheck.paginators import BoundedCountPaginator
from reviews import claim_page, desk_pages, roles, selectors, services
from reviews.forms import AssignForm, DismissForm
from reviews.models import AuditEntry, DismissReason, QueueClaim, Review
from reviews.queue_changelist import QueueChangeList
from reviews.queue_filters import (
    ArticleFilter,
    AssigneeFilter,
    DecidedByFilter,
    DueFilter,
    EvidenceStatusFilter,
    KindFilter,
    PriorityFilter,
    ReviewStatusFilter,
    my_work_url,
    queue_title,
    queue_url,
    shortened,
)

# Long enough to tell claims apart, short enough for one line at 1280 px; the full text is in
# the cell's title and one click away on the claim page.
CLAIM_CHARS = 100
ARTICLE_CHARS = 28


# --- Bulk actions: outcomes and their messages -----------------------------------------------


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _refusal(claim: Claim, exc: Exception) -> str:
    """The service's own reason, naming the claim when the reason does not already."""
    text = str(exc)
    if re.search(rf"\bclaim {claim.pk}\b", text, flags=re.IGNORECASE):
        return text
    return f"Claim {claim.pk}: {text}"


@dataclass
class Outcome:
    """What a bulk action did to each selected claim: changed it, found it already so, or was
    refused (with the service's reason)."""

    done: int = 0
    unchanged: int = 0
    refusals: list[str] = field(default_factory=list)


def run_each(queryset, step: Callable[[Claim], bool]) -> Outcome:
    """Run step on each claim; step returns False when there was nothing to change and raises
    a service error (or ValueError) when the claim cannot be changed."""
    outcome = Outcome()
    for claim in queryset:
        try:
            changed = step(claim)
        except (services.ReviewError, ValueError) as exc:
            outcome.refusals.append(_refusal(claim, exc))
            continue
        if changed:
            outcome.done += 1
        else:
            outcome.unchanged += 1
    return outcome


# --- The queue -------------------------------------------------------------------------------


@admin.register(QueueClaim)
class QueueClaimAdmin(admin.ModelAdmin):
    list_display = (
        "claim_text",
        "article_title",
        "review_status",
        "assignee_name",
        "verdict_display",
        "due_display",
        "priority_display",
    )
    list_filter = (
        ReviewStatusFilter,
        AssigneeFilter,
        PriorityFilter,
        DueFilter,
        ArticleFilter,
        KindFilter,
        EvidenceStatusFilter,
        DecidedByFilter,
    )
    search_fields = ("text", "claimant", "article__title")
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer per page; the filtered count is shown
    actions = [
        "assign_to_me",
        "assign_to",
        "unassign_claims",
        "dismiss_claims",
        "restore_claims",
        "publish_verdicts",
    ]
    review_template = "admin/reviews/queueclaim/review_claim.html"
    action_template = "admin/reviews/queueclaim/bulk_action.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[QueueClaim]:
        # Opinions are included here so the kind filter and the claim page can reach them;
        # KindFilter leaves them out of the default list.
        return selectors.queue_claims(include_opinions=True)

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        # PostgreSQL searches its full-text indexes; elsewhere (SQLite, the embedded default)
        # the admin's own word-by-word match over search_fields.
        if not search_term.strip() or connection.vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        return selectors.queue_claims_search(queryset, search_term), False

    def get_changelist(self, request: HttpRequest, **kwargs):
        return QueueChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Counted up to a bound, a page's rows picked by id: factcheck/paginators.py.
        return BoundedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            rows=self.get_queryset(request).defer("article__text"),
        )

    def get_ordering(self, request: HttpRequest) -> list:
        return selectors.queue_ordering(request.GET.get(ReviewStatusFilter.parameter_name))

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {
            "title": queue_title(request.GET),
            "my_work_url": my_work_url(),
            "needs_action_url": queue_url(),
            "workload_url": reverse("admin:reviews_queueclaim_workload")
            if roles.can_assign_others(request.user)
            else None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def get_urls(self):
        workload = path(
            "workload/",
            self.admin_site.admin_view(self.workload_view),
            name="reviews_queueclaim_workload",
        )
        # Before the model's own URLs, whose "<object_id>/" would take "workload/".
        return [workload, *super().get_urls()]

    # Permissions: the desk groups, then the usual model permissions they carry.

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles.is_desk_member(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return roles.is_desk_member(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # "Change" means working the queue (assigning, recording verdicts) through services;
        # the claim's own fields are never editable (see change_view).
        return roles.is_desk_member(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # claims come from extraction

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return roles.can_assign_others(request.user)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return roles.can_publish(request.user)

    # Columns: short, one line each (factcheck/static/factcheck/desk.css), full text in title.

    def action_checkbox(self, obj: QueueClaim) -> str:
        # Django's own markup, written out: rendering a CheckboxInput through the template
        # engine for each of fifty rows costs more than the rest of the row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description="claim")
    def claim_text(self, obj: QueueClaim) -> str:
        return _truncated(obj.text, CLAIM_CHARS, "desk-claim")

    @admin.display(description="article", ordering="article__title")
    def article_title(self, obj: QueueClaim) -> str:
        return _truncated(obj.article.title, ARTICLE_CHARS, "desk-article")

    @admin.display(description="status", ordering="status_rank")
    def review_status(self, obj: QueueClaim) -> str:
        if obj.canonical_id is not None:
            return f"Duplicate of claim {obj.canonical_id}"
        review = _own_review(obj)
        if review is not None and review.is_dismissed:
            return format_html(
                '<span title="{}">Dismissed</span>',
                review.dismissed_note or review.get_dismissed_reason_display(),
            )
        if review is None or review.assignee_id is None:
            return "Unassigned"
        if review.state == Review.State.RETURNED:
            return "Returned"  # to its reviewer; the short form keeps the column narrow
        return review.get_state_display()

    @admin.display(description="assignee", ordering="review__assignee__username")
    def assignee_name(self, obj: QueueClaim) -> str:
        review = _own_review(obj)
        if review is None or review.assignee is None:
            return "-"
        return review.assignee.get_username()

    @admin.display(description="verdict", ordering="review__verdict")
    def verdict_display(self, obj: QueueClaim) -> str:
        if obj.canonical_id is not None:
            review = _own_review(obj.canonical)
            if review is None or not review.verdict:
                return "-"
            return f"{review.get_verdict_display()} (claim {obj.canonical_id})"
        review = _own_review(obj)
        return review.get_verdict_display() if review and review.verdict else "-"

    @admin.display(description="due", ordering=selectors.DUE_SOONEST_FIRST)
    def due_display(self, obj: QueueClaim) -> str:
        review = _own_review(obj)
        if review is None or review.due_on is None:
            return "-"
        # "5 Dec" this year, "5 Dec 2027" otherwise; the full date is in the title.
        today = timezone.localdate()
        short = "j M" if review.due_on.year == today.year else "j M Y"
        label = date_format(review.due_on, short)
        full = date_format(review.due_on, "l j F Y")
        overdue = (
            review.state in selectors.OPEN_STATES
            and not review.is_dismissed
            and review.due_on < today
        )
        if overdue:
            return format_html(
                '<span class="desk-overdue" title="Overdue: {}">{} '
                '<span class="visually-hidden">(overdue)</span></span>',
                full,
                label,
            )
        return format_html('<span title="{}">{}</span>', full, label)

    @admin.display(description="priority", ordering="priority_rank")
    def priority_display(self, obj: QueueClaim) -> str:
        review = _own_review(obj)
        set_by = "set by an editor" if review is not None and review.priority else "machine"
        label = Claim.Priority(obj.effective_priority).label
        return format_html('<span title="Priority: {}">{}</span>', set_by, label)

    # Actions, all through services, with a message for each outcome.

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        self._assign(request, queryset, assignee=request.user)

    @admin.action(description="Assign to…", permissions=["assign"])
    def assign_to(self, request: HttpRequest, queryset: QuerySet[QueueClaim]):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._assign(
                request,
                queryset,
                assignee=form.cleaned_data["assignee"],
                due_on=form.cleaned_data["due_on"],
                priority=form.cleaned_data["priority"],
            )
            return None
        return self._action_form(
            request, queryset, form, action="assign_to", title="Assign claims", submit="Assign"
        )

    @admin.action(description="Unassign", permissions=["assign"])
    def unassign_claims(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        def step(claim: Claim) -> bool:
            review = _own_review(claim)
            if review is None or review.assignee_id is None:
                return False
            services.review_unassign(claim=claim, editor=request.user)
            return True

        outcome = run_each(queryset, step)
        self._report(
            request,
            outcome,
            done=lambda n: f"{_count(n, 'claim', 'claims')} unassigned.",
            unchanged=lambda n: f"{_count(n, 'claim was', 'claims were')} not assigned.",
        )

    @admin.action(description="Dismiss…", permissions=["change"])
    def dismiss_claims(self, request: HttpRequest, queryset: QuerySet[QueueClaim]):
        form = DismissForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            return self._action_form(
                request,
                queryset,
                form,
                action="dismiss_claims",
                title="Dismiss claims",
                submit="Dismiss",
            )
        reason, note = form.cleaned_data["reason"], form.cleaned_data["note"]

        def step(claim: Claim) -> bool:
            review = _own_review(claim)
            already = (
                review is not None
                and review.dismissed_reason == reason
                and review.dismissed_note == note
            )
            services.claim_dismiss(claim=claim, user=request.user, reason=reason, note=note)
            return not already

        outcome = run_each(queryset, step)
        label = DismissReason(reason).label.lower()
        self._report(
            request,
            outcome,
            done=lambda n: f"{_count(n, 'claim', 'claims')} dismissed ({label}).",
            unchanged=lambda n: (
                f"{_count(n, 'claim was', 'claims were')} already dismissed ({label})."
            ),
        )
        return None

    @admin.action(description="Restore dismissed claims", permissions=["assign"])
    def restore_claims(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        def step(claim: Claim) -> bool:
            review = _own_review(claim)
            if review is None or not review.is_dismissed:
                return False
            services.claim_restore(claim=claim, editor=request.user)
            return True

        outcome = run_each(queryset, step)
        self._report(
            request,
            outcome,
            done=lambda n: f"{_count(n, 'claim', 'claims')} restored to the queue.",
            unchanged=lambda n: f"{_count(n, 'claim was', 'claims were')} not dismissed.",
        )

    @admin.action(description="Publish verdicts", permissions=["publish"])
    def publish_verdicts(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        def step(claim: Claim) -> bool:
            review = _own_review(claim)
            if claim.canonical_id is not None:
                raise services.ReviewStateError(
                    f"Claim {claim.pk} repeats claim {claim.canonical_id}; publish the verdict "
                    f"on claim {claim.canonical_id}, which applies to both."
                )
            if review is None or not review.verdict:
                raise services.ReviewStateError(
                    f"Claim {claim.pk} has no verdict yet; a reviewer must submit one first."
                )
            if review.state == Review.State.PUBLISHED:
                return False
            services.review_publish(review=review, editor=request.user)
            return True

        outcome = run_each(queryset, step)
        self._report(
            request,
            outcome,
            done=lambda n: f"{_count(n, 'verdict', 'verdicts')} published.",
            unchanged=lambda n: f"{_count(n, 'verdict was', 'verdicts were')} already published.",
        )

    def _assign(
        self, request: HttpRequest, queryset, *, assignee, due_on=None, priority=""
    ) -> None:
        def step(claim: Claim) -> bool:
            review = _own_review(claim)
            already = (
                review is not None
                and review.assignee_id == assignee.pk
                and (due_on is None or review.due_on == due_on)
                and (not priority or review.priority == priority)
            )
            services.review_assign(
                claim=claim,
                assignee=assignee,
                assigned_by=request.user,
                due_on=due_on,
                priority=priority or None,
            )
            return not already

        outcome = run_each(queryset, step)
        who = assignee.get_username()
        terms = []
        if due_on is not None:
            terms.append(f"due {date_format(due_on, 'j F Y')}")
        if priority:
            terms.append(f"{Claim.Priority(priority).label.lower()} priority")
        detail = "".join(f", {term}" for term in terms)
        self._report(
            request,
            outcome,
            done=lambda n: f"{_count(n, 'claim', 'claims')} assigned to {who}{detail}.",
            unchanged=lambda n: (
                f"{_count(n, 'claim was', 'claims were')} already assigned to {who}{detail}."
            ),
        )

    def _report(
        self,
        request: HttpRequest,
        outcome: Outcome,
        *,
        done: Callable[[int], str],
        unchanged: Callable[[int], str],
    ) -> None:
        """A message per outcome, and none for an outcome no claim had: "0 claims assigned"
        would read as a success."""
        if outcome.done:
            self.message_user(request, done(outcome.done), messages.SUCCESS)
        if outcome.unchanged:
            self.message_user(request, unchanged(outcome.unchanged), messages.INFO)
        for refusal in outcome.refusals:
            self.message_user(request, refusal, messages.WARNING)
        if not (outcome.done or outcome.unchanged or outcome.refusals):
            self.message_user(
                request,
                "None of the selected claims is in this view of the queue; nothing was changed.",
                messages.WARNING,
            )

    def _action_form(self, request, queryset, form, *, action: str, title: str, submit: str):
        """The second step of an action that asks for details (Assign to…, Dismiss…)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "submit_label": submit,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.action_template, context)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # The workload page (editors): reviews/desk_pages.py

    def workload_view(self, request: HttpRequest) -> HttpResponse:
        return desk_pages.workload_page_view(self, request)

    # The claim page (reviews/claim_page.py): read the claim in context, act through services.

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        return claim_page.claim_page_view(self, request, object_id)

    def history_view(self, request, object_id, extra_context=None):
        # The audit log is the history; admin LogEntry is not written by services.
        url = reverse("admin:reviews_auditentry_changelist")
        return HttpResponseRedirect(f"{url}?claim__id__exact={object_id}")


def _own_review(claim: Claim) -> Review | None:
    """The claim's own review from the select_related cache, or None (no query)."""
    try:
        return claim.review
    except Review.DoesNotExist:
        return None


def _truncated(text: str, chars: int, css_class: str) -> str:
    return format_html(
        '<span class="{}" title="{}">{}</span>', css_class, text, shortened(text, chars)
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit trail is written by services, in
    the transaction of the change, and on PostgreSQL the database refuses to change it.

    An entry keeps the ids of its article, claim and review after they are deleted, so a target
    may be gone; it is then shown as "claim 12 (deleted)", without a link.
    """

    list_display = ("at", "action", "actor", "article_link", "claim_link", "details")
    fields = ("at", "action", "actor", "article_link", "claim_link", "review_text", "details")
    readonly_fields = fields
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("action", "actor__username")
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_exists=Exists(Article.objects.filter(pk=OuterRef("article_id"))),
                claim_exists=Exists(Claim.objects.filter(pk=OuterRef("claim_id"))),
                review_exists=Exists(Review.objects.filter(pk=OuterRef("review_id"))),
            )
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles.is_desk_member(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return roles.is_desk_member(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="article")
    def article_link(self, obj: AuditEntry):
        return _audit_target(obj, "article", "admin:factcheck_article_change")

    @admin.display(description="claim")
    def claim_link(self, obj: AuditEntry):
        return _audit_target(obj, "claim", "admin:reviews_queueclaim_change")

    @admin.display(description="review")
    def review_text(self, obj: AuditEntry):
        return _audit_target(obj, "review", None)  # a review has no admin page of its own


def _audit_target(obj: AuditEntry, name: str, url_name: str | None):
    """The target as 'claim 12' linked to its admin page, 'claim 12 (deleted)', or '-' for
    none. Needs the <name>_exists annotation of AuditEntryAdmin.get_queryset."""
    target_id = getattr(obj, f"{name}_id")
    if target_id is None:
        return "-"
    if not getattr(obj, f"{name}_exists"):
        return f"{name} {target_id} (deleted)"
    if url_name is None:
        return f"{name} {target_id}"
    url = reverse(url_name, args=[target_id])
    return format_html('<a href="{}">{} {}</a>', url, name, target_id)
