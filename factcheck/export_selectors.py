"""Reads for the feeds, the sitemap and the exports (factcheck/syndication.py, sitemaps.py,
exports.py): published verdicts only, each list in a fixed number of queries however long.
Nothing here writes.

A published review is never a dismissed one (the database refuses both at once), so
"published" is enough for verdicts; an article counts when it shows a published verdict, as
its public page does (reviews.selectors.article_with_published_verdicts).
"""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from factcheck import public_selectors
from factcheck.claimant_pages import with_claimant_wikipedia_url
from factcheck.models import Article, Claim
from reviews import selectors
from reviews.models import PublishedVersion, Review


def published_verdict_rows() -> QuerySet[Review]:
    """Published verdicts, newest first, with claim, article, claimant correction and
    first_published_at (public_selectors.published_reviews_with_history): one query."""
    return public_selectors.published_reviews_with_history()


def published_verdicts_for_claimreview() -> QuerySet[Review]:
    """Published verdicts, newest first, with everything views.claim_review_input reads: the
    versions, the duplicates with their articles and reviews, and claimant_wikipedia_url.
    Three queries however many."""
    return with_claimant_wikipedia_url(
        public_selectors.published_reviews_with_history().prefetch_related(
            Prefetch("versions", queryset=PublishedVersion.objects.order_by("number")),
            Prefetch(
                "claim__duplicates",
                queryset=Claim.objects.select_related("article", "review").order_by(
                    "article__title", "pk"
                ),
            ),
        )
    )


def published_verdict_pages() -> QuerySet[Review]:
    """What the sitemap lists of each published verdict: its id and when it last changed."""
    return selectors.published_reviews().select_related(None).only("pk", "published_at")


def _claims_shown_with_a_published_verdict() -> QuerySet[Claim]:
    # As on the article page: a claim shows its own published verdict, or, if it repeats
    # another claim, that claim's; a repeat the desk dismissed is left out.
    own = Q(canonical__isnull=True, review__state=Review.State.PUBLISHED)
    repeated = Q(canonical__review__state=Review.State.PUBLISHED) & (
        Q(review__isnull=True) | Q(review__dismissed_reason="")
    )
    return Claim.objects.filter(own | repeated).annotate(
        verdict_changed_at=Coalesce("canonical__review__published_at", "review__published_at")
    )


def articles_with_published_verdicts() -> QuerySet[Article]:
    """Articles whose public page exists (they show a published verdict), oldest first, each
    with last_verdict_at: when the newest verdict it shows last changed."""
    shown = _claims_shown_with_a_published_verdict().filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(Exists(shown))
        .annotate(
            last_verdict_at=Subquery(
                shown.order_by(F("verdict_changed_at").desc(nulls_last=True)).values(
                    "verdict_changed_at"
                )[:1]
            )
        )
        .only("pk")
        .order_by("pk")
    )
