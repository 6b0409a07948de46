"""Desk pages beside the queue, in the admin's look: the editors' workload page, and the
admin's front page, where a reviewer lands on "My work"."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from reviews import roles, selectors
from reviews.models import Review
from reviews.queue_filters import KindFilter, my_work_url, queue_url

WORKLOAD_TEMPLATE = "admin/reviews/queueclaim/workload.html"


# --- The workload page -----------------------------------------------------------------------


def workload_page_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Each desk member's open, overdue, awaiting and recently decided claims (editors only),
    rendered as QueueClaimAdmin's workload/ page."""
    if not (model_admin.has_view_permission(request) and roles.can_assign_others(request.user)):
        raise PermissionDenied
    rows = selectors.desk_workload(today=timezone.localdate(), now=timezone.now())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Workload",
        "recent_days": selectors.RECENT_DECISIONS_DAYS,
        "rows": [(row, workload_links(row.user_id)) for row in rows],
        "needs_action_url": queue_url(),
    }
    return TemplateResponse(request, WORKLOAD_TEMPLATE, context)


def workload_links(user_id: int) -> dict[str, str]:
    """Where each workload number leads: the queue filtered to the claims it counts."""
    every_kind = {"kind": KindFilter.ALL}
    return {
        "assigned": queue_url(assignee=user_id, review_status="open", **every_kind),
        "overdue": queue_url(assignee=user_id, review_status="open", due="overdue", **every_kind),
        "awaiting_approval": queue_url(
            assignee=user_id, review_status=Review.State.SUBMITTED, **every_kind
        ),
        "decided_recently": queue_url(decided_by=user_id, review_status="all", **every_kind),
    }


# --- The admin's front page ------------------------------------------------------------------


def desk_index(request: HttpRequest) -> HttpResponse:
    """The admin's index, with the desk's landing rule (factcheck/urls.py routes /admin/ here).

    A reviewer lands on "My work", their open claims by due date: that is what they come to
    do. Editors, and superusers, get the admin index: their day spans the queue, the workload
    page and articles. Its "Recent actions" box read admin LogEntry rows, which the desk never
    writes (services write AuditEntry); the index shows the latest audit entries instead, to
    those who may read the audit log.
    """
    user = request.user
    if roles.is_desk_member(user) and not roles.can_assign_others(user):
        return HttpResponseRedirect(my_work_url())
    activity = None
    if roles.is_desk_member(user) and user.has_perm("reviews.view_auditentry"):
        activity = [
            {
                "what": entry.action.replace("_", " ").capitalize(),
                "entry": entry,
            }
            for entry in selectors.latest_audit_entries(limit=10)
        ]
    context = {
        "desk_activity": activity,
        "audit_log_url": reverse("admin:reviews_auditentry_changelist"),
        "desk_links": [
            ("Needs action", queue_url()),
            ("Workload", reverse("admin:reviews_queueclaim_workload")),
        ]
        if roles.can_assign_others(user)
        else [],
    }
    return admin.site.index(request, extra_context=context)
