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
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from factcheck.models import QUEUE_PRIORITY_RANK, Claim
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


def shortened(text: str, chars: int) -> str:
    """text cut to chars characters, ending in an ellipsis, as Truncator(text).chars(chars)
    cuts it, but by plain slicing: Truncator reads every character for combining marks, and
    the queue cuts hundreds of texts a page (its rows, its article filter)."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


@contextmanager
def refused_as_incorrect_lookup():
    """A filter value the queue does not know (a mistyped or stale link) sends the admin back
    to the unfiltered list with its "?e=1" notice, as Django's own filters do, not to a 500."""
    try:
        yield
    except ValueError as exc:
        raise IncorrectLookupParameters(exc) from exc


class CountedWithTheQueue:
    """A filter whose facet counts (?_facets=True) come from QueueChangeList.facet_counts,
    which counts every filter not in use in one query over the list as it is shown."""

    def get_facet_queryset(self, changelist):
        return changelist.facet_counts(self)


class QueueListFilter(CountedWithTheQueue, SimpleListFilter):
    """A queue filter whose choices are conditions on the queue's own rows (condition()).

    Django counts a SimpleListFilter's choices with a "pk IN (the whole filtered queue)"
    subquery per choice; a condition is counted as COUNT(*) FILTER (WHERE condition), in
    one pass over the rows."""

    def condition(self, value: str) -> Q:
        """The rows this choice keeps; ValueError for a value the filter does not know."""
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        with refused_as_incorrect_lookup():
            return queryset.filter(self.condition(self.value()))

    def get_facet_counts(self, pk_attname, filtered_qs):
        counts = {}
        for i, (lookup, _) in enumerate(self.lookup_choices):
            counts[f"{i}__c"] = Count(pk_attname, filter=self.condition(str(lookup)))
        return counts


class EvidenceStatusFilter(QueueListFilter):
    """The claim's evidence status, at the address Django's own filter for the field used."""

    title = "evidence status"
    parameter_name = "evidence_status__exact"

    def lookups(self, request, model_admin):
        return Claim.EvidenceStatus.choices

    def condition(self, value: str) -> Q:
        return Q(evidence_status=value)


class ReviewStatusFilter(SimpleListFilter):
    """The workflow's states and triage; "Needs action" (the default) is what someone still has
    to do: not dismissed, not published, not a duplicate. No facet counts: their list would
    be the whole desk, every claim in every state."""

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


class AssigneeFilter(QueueListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Me")] + [(str(u.pk), u.get_username()) for u in selectors.desk_users()]

    def condition(self, value: str) -> Q:
        if value == "me":
            return Q(review__assignee=self.request.user)
        if value.isdigit():
            return Q(review__assignee_id=int(value))
        return Q()  # a stale or mistyped person filters nothing, as it always has


class PriorityFilter(QueueListFilter):
    """The editor's priority where one is set, else the machine's."""

    title = "priority"
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return Claim.Priority.choices

    def condition(self, value: str) -> Q:
        if value not in Claim.Priority.values:
            raise ValueError(f"Unknown priority {value!r}.")
        # The stored rank, which the queue's order index leads with (not the priority's text).
        return Q(queue_priority_rank=QUEUE_PRIORITY_RANK[value])


class DueFilter(QueueListFilter):
    title = "due date"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("week", "Due in the next 7 days"),
            ("none", "No due date"),
        ]

    def condition(self, value: str) -> Q:
        return selectors.queue_due_condition(value, today=timezone.localdate())


class ArticleFilter(QueueListFilter):
    """Articles that have claims, by title. Only ids and titles are read: an article's text can
    be long, and the list is built on every page of the queue.

    A desk with thousands of articles gets the newest ARTICLE_CHOICES, not a sidebar of
    thousands of links (and not thousands of facet counts, past the 1,664 columns PostgreSQL
    takes in one query); an older article's claims are one search away (the search box reads
    titles), or one click from its claim count in the article list."""

    title = "article"
    parameter_name = "article__id__exact"  # the address Django's own related filter used
    template = "admin/reviews/queueclaim/article_filter.html"
    ARTICLE_CHOICES = 30

    def lookups(self, request, model_admin):
        value = self.value()
        offered = selectors.queue_article_choices(
            limit=self.ARTICLE_CHOICES, selected=int(value) if value and value.isdigit() else None
        )
        # Read by the template, which says that older articles are left out.
        self.complete = offered.complete
        return [(str(pk), shortened(title, 60)) for pk, title in offered.choices]

    def condition(self, value: str) -> Q:
        return Q(article_id=int(value))


class KindFilter(SimpleListFilter):
    """Opinions are out of the queue by default (not checkable), but one click away. No facet
    counts (its choices are its own, with a default)."""

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


class DecidedByFilter(QueueListFilter):
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

    def condition(self, value: str) -> Q:
        since = timezone.now() - timedelta(days=selectors.RECENT_DECISIONS_DAYS)
        return selectors.queue_decided_by_condition(int(value), since=since)


# --- Titles ----------------------------------------------------------------------------------


def queue_title(params) -> str:
    """The queue's title for its filters: "My work", "Needs action", "Awaiting approval"..."""
    status = params.get(ReviewStatusFilter.parameter_name) or "needs_action"
    if status == "open" and params.get(AssigneeFilter.parameter_name) == "me":
        return "My work"
    return QUEUE_TITLES.get(status, "Claims to check")
