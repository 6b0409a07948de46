"""The review queue: the Django admin as a staff tool over QueueClaim (a proxy of Claim).

Only desk members (staff in the Reviewer or Editor group, or superusers) see it. Nothing here
writes a model directly: actions and the claim page call reviews.services, so every change has
its audit entry. The claim itself (text, offsets, scores) is never editable.
"""

from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from factcheck.models import Article, Claim
from reviews import claim_page, roles, selectors, services
from reviews.forms import AssignForm
from reviews.models import AuditEntry, QueueClaim, Review

# --- Filters ---------------------------------------------------------------------------------


class ReviewStatusFilter(SimpleListFilter):
    title = "review status"
    parameter_name = "review_status"

    def lookups(self, request, model_admin):
        return [("unassigned", "Unassigned"), *Review.State.choices]

    def queryset(self, request, queryset):
        if self.value():
            return selectors.queue_claims_by_review_status(queryset, self.value())
        return queryset


class AssigneeFilter(SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Me")] + [(str(u.pk), u.get_username()) for u in selectors.desk_users()]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(review__assignee=request.user)
        if value and value.isdigit():
            return queryset.filter(review__assignee_id=int(value))
        return queryset


class KindFilter(SimpleListFilter):
    """Opinions are out of the queue by default (not checkable), but one click away."""

    title = "claim kind"
    parameter_name = "kind"
    ALL = "all"

    def lookups(self, request, model_admin):
        return Claim.Kind.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset.exclude(kind=Claim.Kind.OPINION)
        if value == self.ALL:
            return queryset
        return queryset.filter(kind=value)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All but opinions",
        }
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": "All kinds",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


# --- The queue -------------------------------------------------------------------------------


@admin.register(QueueClaim)
class QueueClaimAdmin(admin.ModelAdmin):
    list_display = (
        "claim_text",
        "article_title",
        "kind",
        "label",
        "score_display",
        "evidence_status",
        "review_status",
        "assignee_name",
        "verdict_display",
    )
    list_filter = (
        ReviewStatusFilter,
        ("article", admin.RelatedOnlyFieldListFilter),
        AssigneeFilter,
        KindFilter,
        "evidence_status",
        "label",
    )
    search_fields = ("text", "claimant", "article__title")
    ordering = ("-score", "pk")
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer per page; the filtered count is shown
    actions = ["assign_to_me", "assign_to", "publish_verdicts", "unpublish_verdicts"]
    review_template = "admin/reviews/queueclaim/review_claim.html"
    assign_template = "admin/reviews/queueclaim/assign_to.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[QueueClaim]:
        # Opinions are included here so the kind filter and the claim page can reach them;
        # KindFilter leaves them out of the default list.
        return selectors.queue_claims(include_opinions=True)

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

    # Columns

    @admin.display(description="claim")
    def claim_text(self, obj: QueueClaim) -> str:
        return str(obj)

    @admin.display(description="article", ordering="article__title")
    def article_title(self, obj: QueueClaim) -> str:
        return obj.article.title

    @admin.display(description="score", ordering="score")
    def score_display(self, obj: QueueClaim) -> str:
        return f"{obj.score:.2f}"

    @admin.display(description="review status")
    def review_status(self, obj: QueueClaim) -> str:
        if obj.canonical_id is not None:
            return f"Duplicate of claim {obj.canonical_id}"
        review = _own_review(obj)
        if review is None or review.assignee_id is None:
            return "Unassigned"
        return review.get_state_display()

    @admin.display(description="assignee")
    def assignee_name(self, obj: QueueClaim) -> str:
        review = _own_review(obj)
        if review is None or review.assignee is None:
            return "-"
        return review.assignee.get_username()

    @admin.display(description="verdict")
    def verdict_display(self, obj: QueueClaim) -> str:
        if obj.canonical_id is not None:
            review = _own_review(obj.canonical)
            if review is None or not review.verdict:
                return "-"
            return f"{review.get_verdict_display()} (claim {obj.canonical_id})"
        review = _own_review(obj)
        return review.get_verdict_display() if review and review.verdict else "-"

    # Actions, all through services

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        self._assign(request, queryset, assignee=request.user)

    @admin.action(description="Assign to…", permissions=["assign"])
    def assign_to(self, request: HttpRequest, queryset: QuerySet[QueueClaim]):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._assign(request, queryset, assignee=form.cleaned_data["assignee"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Assign claims",
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.assign_template, context)

    @admin.action(description="Publish verdicts", permissions=["publish"])
    def publish_verdicts(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        done, problems = 0, []
        for claim in queryset:
            review = _own_review(claim)
            if review is None or review.state == Review.State.ASSIGNED:
                problems.append(f"Claim {claim.pk}: no verdict yet")
                continue
            try:
                services.review_publish(review=review, editor=request.user)
                done += 1
            except services.ReviewError as exc:
                problems.append(str(exc))
        self._report(request, f"{done} verdict(s) published.", problems)

    @admin.action(description="Unpublish verdicts", permissions=["publish"])
    def unpublish_verdicts(self, request: HttpRequest, queryset: QuerySet[QueueClaim]) -> None:
        done, problems = 0, []
        for claim in queryset:
            review = _own_review(claim)
            if review is None or review.state != Review.State.PUBLISHED:
                continue
            try:
                services.review_unpublish(review=review, editor=request.user)
                done += 1
            except services.ReviewError as exc:
                problems.append(str(exc))
        self._report(request, f"{done} verdict(s) unpublished.", problems)

    def _assign(self, request: HttpRequest, queryset, *, assignee) -> None:
        done, problems = 0, []
        for claim in queryset:
            try:
                services.review_assign(claim=claim, assignee=assignee, assigned_by=request.user)
                done += 1
            except services.ReviewError as exc:
                problems.append(str(exc))
        self._report(request, f"{done} claim(s) assigned to {assignee.get_username()}.", problems)

    def _report(self, request: HttpRequest, summary: str, problems: list[str]) -> None:
        self.message_user(request, summary, messages.SUCCESS)
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

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
