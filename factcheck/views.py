"""Public pages: published verdicts and the articles they appear in. No login needed.

Desk members may preview an unpublished verdict (marked as such, without ClaimReview markup);
everyone else gets a 404 for it, as for a verdict that does not exist.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from factcheck.claimreview import Appearance, ClaimReviewInput, claim_review, json_ld_script_body
from factcheck.models import Article, Claim
from factcheck.safe_urls import is_public_url
from reviews import roles, selectors
from reviews.models import Review

VERDICTS_PER_PAGE = 25
ORGANIZATION_ENTITY_LABELS = {"ORG", "NORP", "GPE", "FAC"}


def absolute_url(path: str) -> str:
    return settings.FACTCHECK_PUBLIC_BASE_URL.rstrip("/") + path


def article_public_url(article: Article) -> str:
    """Where a reader finds the article: the outlet's page if we know it, else our copy. A
    stored source URL that is not plain http(s) is never used (it feeds links and JSON-LD)."""
    if article.source_url and is_public_url(article.source_url):
        return article.source_url.strip()
    return absolute_url(reverse("article_detail", args=[article.pk]))


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context = {"organization_name": settings.FACTCHECK_ORGANIZATION_NAME, **context}
    return render(request, template, context)


def home(request: HttpRequest) -> HttpResponse:
    latest = list(selectors.published_reviews()[:5])
    return _render(request, "factcheck/home.html", {"reviews": latest})


def verdict_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.published_reviews(), VERDICTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return _render(request, "factcheck/verdict_list.html", {"page": page, "reviews": page})


def verdict_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    preview = roles.is_desk_member(request.user)
    try:
        review = selectors.review_for_verdict_page(review_id=review_id, include_unpublished=preview)
    except Review.DoesNotExist:
        raise Http404("No published verdict with this number.") from None
    claim = review.claim
    duplicates = list(claim.duplicates.all())
    json_ld = None
    if review.state == Review.State.PUBLISHED:
        json_ld = mark_safe(
            json_ld_script_body(claim_review(claim_review_input(review, duplicates)))
        )
    context = {
        "review": review,
        "claim": claim,
        "article": claim.article,
        "article_url": article_public_url(claim.article),
        "parts": claim.paragraph_parts(),
        "cited_evidence": list(review.cited_evidence.all()),
        "duplicates": duplicates,
        "json_ld": json_ld,
        "is_preview": review.state != Review.State.PUBLISHED,
    }
    response = _render(request, "factcheck/verdict_detail.html", context)
    if context["is_preview"]:
        response["Cache-Control"] = "private, no-store"
    return response


def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article, pairs = selectors.article_with_published_verdicts(article_id=article_id)
    except Article.DoesNotExist:
        raise Http404("No article with published verdicts has this number.") from None
    return _render(request, "factcheck/article_detail.html", {"article": article, "pairs": pairs})


def claimant_is_organization(claim: Claim) -> bool:
    """True if the claimant's span is an organisation-like entity (spaCy ORG, NORP, ...)."""
    if not claim.claimant or claim.claimant_start is None:
        return False
    for entity in claim.entities or []:
        overlaps = entity.get("start", -1) < claim.claimant_end and entity.get("end", -1) > (
            claim.claimant_start
        )
        if overlaps and entity.get("label") in ORGANIZATION_ENTITY_LABELS:
            return True
    return False


def claim_review_input(review: Review, duplicates: list[Claim]) -> ClaimReviewInput:
    """The facts of a published review that the ClaimReview markup needs."""
    claim = review.claim
    article = claim.article
    appearances, seen = [], set()
    for c in [claim, *duplicates]:
        if c.article_id in seen:
            continue
        seen.add(c.article_id)
        a = c.article
        appearances.append(
            Appearance(url=article_public_url(a), headline=a.title, date_published=a.published_on)
        )
    return ClaimReviewInput(
        review_url=absolute_url(review.get_absolute_url()),
        claim_text=claim.text,
        verdict=review.verdict,
        date_published=review.published_at,
        organization_name=settings.FACTCHECK_ORGANIZATION_NAME,
        organization_url=settings.FACTCHECK_ORGANIZATION_URL or settings.FACTCHECK_PUBLIC_BASE_URL,
        claimant=claim.claimant,
        claimant_is_organization=claimant_is_organization(claim),
        outlet=article.outlet,
        byline=article.byline,
        appearances=tuple(appearances),
        claim_date=article.published_on,
    )
