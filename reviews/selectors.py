"""Reads for the review queue and the public verdict pages. Nothing here writes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from factcheck.models import QUEUE_PRIORITY_RANK, Article, Claim, Evidence
from reviews.claim_state import desk_priority_expression
from reviews.models import AuditEntry, QueueClaim, Review, ReviewTransition
from reviews.roles import DESK_GROUPS

# Duplicates point at their canonical claim; dedup links to the root, but a short walk makes
# a chain (a -> b -> c) harmless too. The cap guards against a cycle.
MAX_CANONICAL_HOPS = 5

# Work in hand: a reviewer holds it (assigned), or holds it again after an editor's note.
OPEN_STATES = (Review.State.ASSIGNED, Review.State.RETURNED)
# A person "decides" a claim when they submit a verdict on it or publish one.
DECISION_STATES = (Review.State.SUBMITTED, Review.State.PUBLISHED)
RECENT_DECISIONS_DAYS = 7

# The queue's statuses, as the review status filter offers them. "needs_action" is the default
# view; the others narrow to one state of the workflow or to triage.
QUEUE_STATUSES = {
    "needs_action": "Needs action",
    "low_priority": "Low priority, unassigned",
    "unassigned": "Unassigned",
    "open": "Being worked on",
    Review.State.ASSIGNED.value: "Assigned",
    Review.State.RETURNED.value: "Returned to reviewer",
    Review.State.SUBMITTED.value: "Awaiting approval",
    Review.State.PUBLISHED.value: "Published",
    "dismissed": "Dismissed",
    "duplicate": "Duplicates",
    "all": "All",
}

# Sort keys: priority in the desk's order, high first, not the alphabet's (the claim's
# queue_priority_rank); statuses in the order a claim moves through the workflow, triage last.
STATUS_RANK = {
    "unassigned": 0,
    Review.State.ASSIGNED: 1,
    Review.State.RETURNED: 2,
    Review.State.SUBMITTED: 3,
    Review.State.PUBLISHED: 4,
    "dismissed": 5,
    "duplicate": 6,
}
# The claim's copy of its review's due date (reviews.services.review_assign keeps it), so the
# default orders read one table and its index (factcheck's migration 0011).
DUE_SOONEST_FIRST = F("review_due_on").asc(nulls_last=True)


def queue_claims(*, include_opinions: bool = False) -> QuerySet[QueueClaim]:
    """Claims for the review queue, with everything a row shows joined in (flat query count).

    Annotated for filtering and sorting: effective_priority (the editor's priority, else the
    machine's), priority_rank (0 high .. 2 low) and status_rank (the workflow's order).

    Opinions are left out unless asked for: they are not checkable, but the kind filter can
    still reach them.
    """
    qs = QueueClaim.objects.select_related(
        "article",
        "review__assignee",
        "canonical__review",
    ).annotate(
        effective_priority=desk_priority_expression(),
        priority_rank=F("queue_priority_rank"),
        status_rank=Case(
            When(canonical__isnull=False, then=Value(STATUS_RANK["duplicate"])),
            When(review__dismissed_reason__gt="", then=Value(STATUS_RANK["dismissed"])),
            When(
                Q(review__isnull=True) | Q(review__assignee__isnull=True),
                then=Value(STATUS_RANK["unassigned"]),
            ),
            *(
                When(review__state=state, then=Value(STATUS_RANK[state]))
                for state in Review.State.values
            ),
            output_field=IntegerField(),
        ),
    )
    if not include_opinions:
        qs = qs.exclude(kind=Claim.Kind.OPINION)
    return qs


def queue_ordering(status: str | None) -> list:
    """The queue's default order: what matters most first, then the nearest deadline, then
    the machine's check-worthiness. Work already in someone's hands ("open") is done by
    deadline, so there the due date comes first."""
    if status == "open":
        return [DUE_SOONEST_FIRST, "priority_rank", "-score", "pk"]
    return ["priority_rank", DUE_SOONEST_FIRST, "-score", "pk"]


def _not_dismissed() -> Q:
    return Q(review__dismissed_reason="")


def queue_status_condition(status: str) -> Q:
    """The condition for one of QUEUE_STATUSES on queue_claims() rows (ValueError for
    anything else). A Q rather than a filtered queryset, so the filter's facet counts can be
    conditional counts of one query.

    Dismissed claims appear only under "dismissed" and "all"; duplicates, which carry no
    review of their own, only under "duplicate" and "all".
    """
    original = Q(canonical__isnull=True)
    if status in ("needs_action", "low_priority"):
        # Neither dismissed nor published: waiting for someone, or being worked on. Written on
        # the row's own outer join to its review, which the order needs anyway: one pass over
        # the reviews, where NOT EXISTS would add more (and twice the time, measured).
        waiting = original & (
            Q(review__isnull=True)
            | Q(_not_dismissed(), review__state__in=[*OPEN_STATES, Review.State.SUBMITTED])
        )
        # The default view shows high and medium; low-priority claims wait one click away
        # until someone takes one or an editor raises or assigns it.
        low_unassigned = Q(queue_priority_rank=QUEUE_PRIORITY_RANK[Claim.Priority.LOW]) & (
            Q(review__isnull=True) | Q(review__assignee__isnull=True)
        )
        if status == "low_priority":
            return waiting & low_unassigned
        return waiting & ~low_unassigned
    if status == "unassigned":
        # Nobody holds it: no review, or one nobody is assigned to that was not dismissed.
        # Not "review IS NULL OR ..." (estimated at one row once, and planned as a nested
        # loop), and not NOT EXISTS either: PostgreSQL then sorted every claim before looking
        # for reviews, three times slower at 100,000 claims than this plain outer join.
        return original & Q(review__assignee__isnull=True) & ~Q(review__dismissed_reason__gt="")
    if status == "open":
        return Q(_not_dismissed(), review__state__in=OPEN_STATES, review__assignee__isnull=False)
    if status in (Review.State.ASSIGNED, Review.State.RETURNED, Review.State.SUBMITTED):
        return Q(_not_dismissed(), review__state=status, review__assignee__isnull=False)
    if status == Review.State.PUBLISHED:
        return Q(review__state=Review.State.PUBLISHED)
    if status == "dismissed":
        return Q(review__dismissed_reason__gt="")
    if status == "duplicate":
        return Q(canonical__isnull=False)
    if status == "all":
        return Q()
    raise ValueError(f"Unknown review status {status!r}; expected one of {list(QUEUE_STATUSES)}.")


def queue_claims_by_review_status(qs: QuerySet, status: str) -> QuerySet:
    """Narrow queue claims to one of QUEUE_STATUSES (see queue_status_condition)."""
    return qs.filter(queue_status_condition(status))


def queue_due_condition(due: str, *, today: date) -> Q:
    """The condition for a deadline on queue_claims() rows: "overdue" (open work past its
    date), "week" (due from today to seven days on) or "none" (no date). ValueError for
    anything else."""
    if due == "overdue":
        return Q(_not_dismissed(), review__state__in=OPEN_STATES, review__due_on__lt=today)
    if due == "week":
        return Q(review__due_on__range=(today, today + timedelta(days=7)))
    if due == "none":
        return Q(review__due_on__isnull=True)  # no review, or one without a date
    raise ValueError(f"Unknown due filter {due!r}; expected overdue, week or none.")


# The queue's search on PostgreSQL: full text, English stems, over the claim and its claimant,
# or the article's title. factcheck's migration 0009 indexes exactly these expressions.
SEARCH_CONFIG = "english"
CLAIM_SEARCH_VECTOR = SearchVector("text", "claimant", config=SEARCH_CONFIG)
ARTICLE_TITLE_SEARCH_VECTOR = SearchVector("title", config=SEARCH_CONFIG)


def queue_claims_search(qs: QuerySet, text: str) -> QuerySet:
    """Queue claims whose text or claimant matches a search, or whose article's title does
    (PostgreSQL only: websearch syntax, "quoted phrase", or, -word; stems, so "evacuated"
    finds "evacuation").

    The matching articles are looked up first and their ids put in the claims' condition:
    with a subquery there, PostgreSQL would test every claim rather than combine two
    indexes, the claims' search index and their article id.
    """
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    titled = list(
        Article.objects.alias(search=ARTICLE_TITLE_SEARCH_VECTOR)
        .filter(search=query)
        .order_by()
        .values_list("pk", flat=True)
    )
    return qs.alias(search=CLAIM_SEARCH_VECTOR).filter(Q(search=query) | Q(article_id__in=titled))


def recent_decisions(*, since: datetime) -> QuerySet[ReviewTransition]:
    """State changes that decide a claim (a verdict submitted, or published) since a time."""
    return ReviewTransition.objects.filter(to_state__in=DECISION_STATES, at__gte=since)


def queue_decided_by_condition(user_id: int, *, since: datetime) -> Exists:
    """Claims the user submitted a verdict on, or published, since a time."""
    decided = recent_decisions(since=since).filter(
        actor_id=user_id, review__claim_id=OuterRef("pk")
    )
    return Exists(decided)


@dataclass(frozen=True)
class ArticleChoices:
    """The articles the queue's article filter offers: (id, title) by title, and whether
    they are all the articles that have claims."""

    choices: list[tuple[int, str]]
    complete: bool


def queue_article_choices(*, limit: int, selected: int | None = None) -> ArticleChoices:
    """The articles that have claims, for the queue's article filter: all of them when there
    are at most `limit`, else the `limit` newest (the ones the desk is working through), and
    the selected article in either case. Ids and titles only, never the articles' text; the
    newest first along an index, so it reads about limit rows however many articles there are.
    """
    with_claims = Article.objects.filter(Exists(Claim.objects.filter(article_id=OuterRef("pk"))))
    rows = list(with_claims.order_by("-created_at", "-pk").values_list("pk", "title")[: limit + 1])
    complete = len(rows) <= limit
    rows = rows[:limit]
    if selected is not None and all(pk != selected for pk, _ in rows):
        rows += with_claims.filter(pk=selected).values_list("pk", "title")
    return ArticleChoices(choices=sorted(rows, key=lambda row: (row[1], row[0])), complete=complete)


def desk_users() -> QuerySet:
    """Active staff in a desk group, or superusers: the people a claim may be assigned to."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name__in=DESK_GROUPS))
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class Workload:
    """One desk member's work, as the workload page lists it."""

    user_id: int
    username: str
    full_name: str
    assigned: int  # open: assigned or returned, not dismissed
    overdue: int  # open and past its due date
    awaiting_approval: int  # submitted, waiting for an editor
    decided_recently: int  # claims they submitted or published in the last RECENT_DECISIONS_DAYS


def _count_for_each_user(rows: QuerySet, user_field: str, counted: Count) -> Coalesce:
    """A subquery counting the rows whose user_field is the outer user."""
    counts = (
        rows.filter(**{user_field: OuterRef("pk")})
        .order_by()
        .values(user_field)
        .annotate(n=counted)
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def desk_workload(*, today: date, now: datetime) -> list[Workload]:
    """Each desk member's open, overdue, awaiting and recently decided claims, in one query.

    The numbers match the queue's filters (review_status=open / due=overdue / submitted, and
    decided_by), so each can link to the claims it counts.

    Each number is a subquery per person, read from an index on (person, state, date):
    joining every review to its assignee and grouping would read all of them, and the
    "decided" subquery would then run once per review instead of once per person.
    """
    User = get_user_model()
    open_work = Review.objects.filter(state__in=OPEN_STATES, dismissed_reason="")
    awaiting = Review.objects.filter(state=Review.State.SUBMITTED, dismissed_reason="")
    decided = recent_decisions(since=now - timedelta(days=RECENT_DECISIONS_DAYS))
    # Filtering on desk_users() by id, not annotating it: its join on groups would count a
    # member of both groups twice.
    users = (
        User.objects.filter(pk__in=desk_users().values("pk"))
        .annotate(
            assigned=_count_for_each_user(open_work, "assignee", Count("*")),
            overdue=_count_for_each_user(
                open_work.filter(due_on__lt=today), "assignee", Count("*")
            ),
            awaiting_approval=_count_for_each_user(awaiting, "assignee", Count("*")),
            decided_recently=_count_for_each_user(
                decided, "actor", Count("review_id", distinct=True)
            ),
        )
        .order_by("username")
    )
    return [
        Workload(
            user_id=user.pk,
            username=user.get_username(),
            full_name=user.get_full_name(),
            assigned=user.assigned,
            overdue=user.overdue,
            awaiting_approval=user.awaiting_approval,
            decided_recently=user.decided_recently,
        )
        for user in users
    ]


def latest_audit_entries(*, limit: int = 10) -> list[AuditEntry]:
    """The newest audit entries with their actors, for the admin index's "latest activity".
    claim_exists says whether the claim an entry names is still there (entries outlive it)."""
    return list(
        AuditEntry.objects.select_related("actor")
        .annotate(claim_exists=Exists(Claim.objects.filter(pk=OuterRef("claim_id"))))
        .order_by("-at", "-id")[:limit]
    )


def canonical_claim(claim: Claim) -> Claim:
    """The claim whose verdict applies to this one: itself, or the claim it repeats."""
    seen = {claim.pk}
    current = claim
    for _ in range(MAX_CANONICAL_HOPS):
        if current.canonical_id is None or current.canonical_id in seen:
            break
        current = current.canonical
        seen.add(current.pk)
    return current


def claim_applicable_review(*, claim: Claim, published_only: bool = False) -> Review | None:
    """The review that carries the verdict for this claim: its own, or, for a duplicate, the
    canonical claim's. With published_only, only a published one (for public pages)."""
    target = canonical_claim(claim)
    qs = Review.objects.filter(claim_id=target.pk).select_related("reviewer", "assignee")
    if published_only:
        qs = qs.filter(state=Review.State.PUBLISHED)
    return qs.first()


def claim_ranked_evidence(*, claim: Claim) -> QuerySet[Evidence]:
    """The claim's evidence, best first, with its pinned page."""
    return Evidence.objects.filter(claim_id=claim.pk).select_related("page").order_by("rank")


def published_reviews() -> QuerySet[Review]:
    """Published verdicts, newest first, ready for a list (claim, article joined)."""
    return (
        Review.objects.filter(state=Review.State.PUBLISHED)
        .select_related("claim__article")
        .order_by("-published_at", "-pk")
    )


def review_for_verdict_page(*, review_id: int, include_unpublished: bool) -> Review:
    """One review with what its page shows: claim, article, cited evidence and their pages,
    and the duplicates that share its verdict. Raises Review.DoesNotExist."""
    qs = Review.objects.select_related("claim__article", "reviewer", "published_by")
    qs = qs.prefetch_related(
        Prefetch(
            "cited_evidence",
            queryset=Evidence.objects.select_related("page").order_by("rank"),
        ),
        Prefetch(
            "claim__duplicates",
            queryset=Claim.objects.select_related("article").order_by("article__title", "pk"),
        ),
    )
    if not include_unpublished:
        qs = qs.filter(state=Review.State.PUBLISHED)
    return qs.get(pk=review_id)


def article_with_published_verdicts(
    *, article_id: int
) -> tuple[Article, list[tuple[Claim, Review]]]:
    """An article and its claims that carry a published verdict (own or canonical's), in
    reading order. Raises Article.DoesNotExist when there is none: the public site shows an
    article's stored text only alongside verdicts, never as a bare copy."""
    article = Article.objects.get(pk=article_id)
    claims = list(
        Claim.objects.filter(article_id=article_id)
        .filter(
            Q(review__state=Review.State.PUBLISHED)
            | Q(canonical__review__state=Review.State.PUBLISHED)
        )
        .select_related("review", "canonical__review")
        .order_by("start")
    )
    pairs = []
    for claim in claims:
        own = getattr(claim, "review", None) if claim.canonical_id is None else None
        review = own if own is not None else claim.canonical.review
        if review.state == Review.State.PUBLISHED:
            pairs.append((claim, review))
    if not pairs:
        raise Article.DoesNotExist(f"Article {article_id} has no published verdicts.")
    return article, pairs
