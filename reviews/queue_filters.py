"""The review queue's filters (the admin's sidebar), and the addresses and titles of the
queue's filtered views ("Needs action", "My work", a person's overdue claims...).

Filters read through reviews.selectors, so the workload page's numbers and the lists they
link to count the same claims.
"""

from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from factcheck.models import Claim
from reviews import selectors
from reviews.models import Review

CHANGELIST = "admin:reviews_queueclaim_changelist"

# The queue's title for each review status, as a person would say it.
QUEUE_TITLES = {
    "needs_action": "Needs action",
    "unassigned": "Unassigned claims",
    "open": "Claims being worked on",
    Review.State.ASSIGNED: "Assigned claims",
    Review.State.RETURNED: "Claims returned to reviewers",
    Review.State.SUBMITTED: "Awaiting approval",
    Review.State.PUBLISHED: "Published verdicts",
    "dismissed": "Dismissed claims",
    "duplicate": "Duplicate claims",
}
MY_WORK = {"assignee": "me", "review_status": "open", "kind": "all"}


def queue_url(**params: str | int) -> str:
    """The queue's address with these filters, e.g. queue_url(review_status="open")."""
    url = reverse(CHANGELIST)
    return f"{url}?{urlencode(params)}" if params else url


def my_work_url() -> str:
    return queue_url(**MY_WORK)


@contextmanager
def refused_as_incorrect_lookup():
    """A filter value the queue does not know (a mistyped or stale link) sends the admin back
    to the unfiltered list with its "?e=1" notice, as Django's own filters do, not to a 500."""
    try:
        yield
    except ValueError as exc:
        raise IncorrectLookupParameters(exc) from exc


class ReviewStatusFilter(SimpleListFilter):
    """The workflow's states and triage; "Needs action" (the default) is what someone still has
    to do: not dismissed, not published, not a duplicate."""

    title = "review status"
    parameter_name = "review_status"

    def lookups(self, request, model_admin):
        return [(k, v) for k, v in selectors.QUEUE_STATUSES.items() if k != "needs_action"]

    def queryset(self, request, queryset):
        with refused_as_incorrect_lookup():
            return selectors.queue_claims_by_review_status(queryset, self.value() or "needs_action")

    def choices(self, changelist):
        yield {
            "selected": self.value() in (None, "needs_action"),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": selectors.QUEUE_STATUSES["needs_action"],
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


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


class PriorityFilter(SimpleListFilter):
    """The editor's priority where one is set, else the machine's."""

    title = "priority"
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return Claim.Priority.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in Claim.Priority.values:
            raise IncorrectLookupParameters(f"Unknown priority {value!r}.")
        return queryset.filter(effective_priority=value)


class DueFilter(SimpleListFilter):
    title = "due date"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("week", "Due in the next 7 days"),
            ("none", "No due date"),
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        with refused_as_incorrect_lookup():
            return selectors.queue_claims_by_due(queryset, self.value(), today=timezone.localdate())


class ArticleFilter(SimpleListFilter):
    """Articles that have claims, by title. Only ids and titles are read: an article's text can
    be long, and the list is built on every page of the queue."""

    title = "article"
    parameter_name = "article__id__exact"  # the address Django's own related filter used

    def lookups(self, request, model_admin):
        return [
            (str(pk), Truncator(title).chars(60)) for pk, title in selectors.queue_article_choices()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        with refused_as_incorrect_lookup():
            return queryset.filter(article_id=int(value))


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


class DecidedByFilter(SimpleListFilter):
    """Claims a person submitted or published in the last days: where the workload page's
    "decided" number leads. Shown only while in use, so the sidebar stays short."""

    title = f"decided in the last {selectors.RECENT_DECISIONS_DAYS} days by"
    parameter_name = "decided_by"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        users = get_user_model().objects.filter(pk=int(value))
        return [(str(u.pk), u.get_username()) for u in users]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        since = timezone.now() - timedelta(days=selectors.RECENT_DECISIONS_DAYS)
        with refused_as_incorrect_lookup():
            return selectors.queue_claims_decided_by(queryset, int(self.value()), since=since)


# --- Titles ----------------------------------------------------------------------------------


def queue_title(params) -> str:
    """The queue's title for its filters: "My work", "Needs action", "Awaiting approval"..."""
    status = params.get(ReviewStatusFilter.parameter_name) or "needs_action"
    if status == "open" and params.get(AssigneeFilter.parameter_name) == "me":
        return "My work"
    return QUEUE_TITLES.get(status, "Claims to check")
