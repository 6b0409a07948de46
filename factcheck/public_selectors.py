"""Reads for the public pages beyond reviews.selectors: the corrections log, the verdict page
and what it shows beside the review (reviewers' own sources, every published version, the
desk's correction of the claimant), what its cache key is made of, and the search over
published verdicts. Nothing here writes."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from factcheck.models import Claim, Evidence
from reviews import selectors
from reviews.models import PublishedVersion, Review, Source

# PostgreSQL's English configuration: stems ("evacuations" finds "evacuated") and drops stop
# words. Claim text and rationales are in English; names come through unstemmed enough.
SEARCH_CONFIG = "english"


def published_corrections() -> QuerySet[PublishedVersion]:
    """Every correction and update (version 2 onwards) of a verdict that is published now,
    newest first, with its claim and article joined and the verdict it replaced as
    previous_verdict. A verdict taken down is left out until it is published again."""
    replaced = PublishedVersion.objects.filter(
        review=OuterRef("review"), number=OuterRef("number") - 1
    ).values("verdict")[:1]
    return (
        PublishedVersion.objects.filter(number__gt=1, review__state=Review.State.PUBLISHED)
        .select_related("review__claim__article")
        .annotate(previous_verdict=Subquery(replaced))
        .order_by("-published_at", "-pk")
    )


def published_reviews_with_history() -> QuerySet[Review]:
    """reviews.selectors.published_reviews, with the desk's claimant correction joined, when
    each verdict was first published (first_published_at) and how many versions it has had
    (version_count), all in the same query."""
    versions = PublishedVersion.objects.filter(review=OuterRef("pk"))
    return (
        selectors.published_reviews()
        .select_related("claim__claimant_correction")
        .annotate(
            first_published_at=Subquery(versions.order_by("number").values("published_at")[:1]),
            version_count=Subquery(versions.order_by("-number").values("number")[:1]),
        )
    )


# --- Search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictSearch:
    """What a reader asked /verdicts/ for. Empty values filter nothing. The dates bound the
    day the verdict was first published, both ends included."""

    text: str = ""
    verdict: str = ""
    claimant: str = ""
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return self == VerdictSearch()


def full_text_search_available() -> bool:
    """PostgreSQL has full-text search; other databases (SQLite, the embedded default) get
    the plain word match."""
    return connection.vendor == "postgresql"


def published_reviews_search(
    search: VerdictSearch, *, full_text: bool | None = None
) -> QuerySet[Review]:
    """Published verdicts matching a search, in published_reviews_with_history's shape.

    The text is looked for in the claim, its claimant (the machine's words, the fullest name
    the article gives and the desk's correction) and the rationale: on PostgreSQL with
    full-text search (websearch syntax: "quoted phrase", or, -word), best match first; else
    (full_text=False, or another database) every word must appear in one of those fields,
    newest first. The claimant filter matches the claimant the public pages show: the desk's
    correction when there is one, else the article's fullest name, else the machine's words.
    """
    if full_text is None:
        full_text = full_text_search_available()
    qs = published_reviews_with_history()
    if search.verdict:
        qs = qs.filter(verdict=search.verdict)
    if search.claimant:
        qs = qs.annotate(
            shown_claimant=Coalesce(
                "claim__claimant_correction__claimant",
                NullIf("claim__claimant_name", Value("")),
                "claim__claimant",
            )
        ).filter(shown_claimant__icontains=search.claimant)
    if search.published_from:
        qs = qs.filter(first_published_at__gte=_start_of_day(search.published_from))
    if search.published_to:
        next_day = search.published_to + dt.timedelta(days=1)
        qs = qs.filter(first_published_at__lt=_start_of_day(next_day))
    text = search.text.strip()
    if not text:
        return qs
    if full_text:
        return _full_text_match(qs, text)
    return _word_match(qs, text)


def _start_of_day(day: dt.date) -> dt.datetime:
    # In the site's time zone, the one the pages print dates in.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _full_text_match(qs: QuerySet[Review], text: str) -> QuerySet[Review]:
    # Weighted: a match in the claim itself ranks above one in who said it, which ranks above
    # one in the rationale.
    vector = (
        SearchVector("claim__text", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            "claim__claimant_correction__claimant",
            "claim__claimant_name",
            "claim__claimant",
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("rationale", weight="C", config=SEARCH_CONFIG)
    )
    # websearch never raises on what a reader types, unlike the raw tsquery syntax.
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return (
        qs.annotate(search=vector, search_rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-search_rank", "-published_at", "-pk")
    )


def _word_match(qs: QuerySet[Review], text: str) -> QuerySet[Review]:
    fields = (
        "claim__text",
        "claim__claimant",
        "claim__claimant_name",
        "claim__claimant_correction__claimant",
        "rationale",
    )
    for word in text.split():
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__icontains": word})
        qs = qs.filter(anywhere)
    return qs


# --- The verdict page ------------------------------------------------------------------------


def verdict_page_review(*, review_id: int, include_unpublished: bool) -> Review:
    """One review with everything its public page shows, in seven queries however many
    citations: 1 the review with claim, article and claimant correction;
    2 cited evidence with pages; 3 cited sources; 4 published versions (oldest first);
    5 duplicates with their articles; 6 and 7 the duplicates' own reviews and claimant
    corrections. Raises Review.DoesNotExist (for an unpublished one, unless asked for)."""
    qs = Review.objects.select_related(
        "claim__article", "claim__claimant_correction"
    ).prefetch_related(
        Prefetch(
            "cited_evidence",
            queryset=Evidence.objects.select_related("page").order_by("rank"),
        ),
        Prefetch("cited_sources", queryset=Source.objects.order_by("pk")),
        Prefetch("versions", queryset=PublishedVersion.objects.order_by("number")),
        Prefetch(
            "claim__duplicates",
            queryset=Claim.objects.select_related("article").order_by("article__title", "pk"),
        ),
        "claim__duplicates__review",
        "claim__duplicates__claimant_correction",
    )
    if not include_unpublished:
        qs = qs.filter(state=Review.State.PUBLISHED)
    return qs.get(pk=review_id)


def published_verdict_page_stamp(*, review_id: int) -> tuple | None:
    """What changes whenever the published verdict page would change, in one query; None
    when no published verdict has this id.

    Every desk action on a verdict (publish, correct, unpublish, dismiss) saves the review,
    so its updated_at moves. Claims found to repeat this one, or dismissed among its repeats,
    change the page without touching the review: their count, newest id and latest review
    change are part of the stamp.
    """
    # Plain SQL, because this runs for every cached page served: building it with the ORM
    # takes several times longer than serving the rest of the cached response, and a flat
    # join plans faster than subqueries (manage.py bench_verdict_page measures it).
    review_table = connection.ops.quote_name(Review._meta.db_table)
    claim_table = connection.ops.quote_name(Claim._meta.db_table)
    sql = (
        f"SELECT r.updated_at, COUNT(d.id), MAX(d.id), MAX(dr.updated_at)"
        f" FROM {review_table} r"
        f" LEFT JOIN {claim_table} d ON d.canonical_id = r.claim_id"
        f" LEFT JOIN {review_table} dr ON dr.claim_id = d.id"
        f" WHERE r.id = %s AND r.state = %s"
        f" GROUP BY r.id, r.updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [review_id, Review.State.PUBLISHED.value])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None
