"""Reads for the public pages beyond reviews.selectors: the corrections log, and what a verdict
page shows beside the review (reviewers' own sources, every published version, the desk's
correction of the claimant). Nothing here writes."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects

from reviews import selectors
from reviews.models import PublishedVersion, Review, Source


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


def review_load_public_extras(review: Review) -> None:
    """Load onto a review from selectors.review_for_verdict_page what its page shows besides:
    the cited sources, the published versions (oldest first), the claimant correction, and
    each duplicate's own review and claimant correction. One query each, however many."""
    prefetch_related_objects(
        [review],
        Prefetch("cited_sources", queryset=Source.objects.order_by("pk")),
        Prefetch("versions", queryset=PublishedVersion.objects.order_by("number")),
        "claim__claimant_correction",
        "claim__duplicates__review",
        "claim__duplicates__claimant_correction",
    )
