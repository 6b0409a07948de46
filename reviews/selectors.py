"""Reads for the review queue and the public verdict pages. Nothing here writes."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from factcheck.models import Article, Claim, Evidence
from reviews.models import QueueClaim, Review
from reviews.roles import DESK_GROUPS

# Duplicates point at their canonical claim; dedup links to the root, but a short walk makes
# a chain (a -> b -> c) harmless too. The cap guards against a cycle.
MAX_CANONICAL_HOPS = 5


def queue_claims(*, include_opinions: bool = False) -> QuerySet[QueueClaim]:
    """Claims for the review queue, with everything a row shows joined in (flat query count).

    Opinions are left out unless asked for: they are not checkable, but the kind filter can
    still reach them.
    """
    qs = QueueClaim.objects.select_related(
        "article",
        "review__assignee",
        "canonical__review",
    )
    if not include_opinions:
        qs = qs.exclude(kind=Claim.Kind.OPINION)
    return qs


def queue_claims_by_review_status(qs: QuerySet, status: str) -> QuerySet:
    """Narrow queue claims by "unassigned", or by a Review.State value."""
    if status == "unassigned":
        return qs.filter(Q(review__isnull=True) | Q(review__assignee__isnull=True))
    return qs.filter(review__state=status)


def desk_users() -> QuerySet:
    """Active staff in a desk group, or superusers: the people a claim may be assigned to."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name__in=DESK_GROUPS))
        .distinct()
        .order_by("username")
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
