"""Public pages: published verdicts, the articles they appear in, and the corrections log.
No login needed.

Desk members may preview an unpublished verdict (marked as such, without ClaimReview markup);
everyone else gets a 404 for it, as for a verdict that does not exist. Dismissed claims are
never shown: they cannot be published, and a duplicate the desk dismissed is left out of its
canonical verdict's page and of its article's page.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from factcheck import public_selectors
from factcheck.claimreview import Appearance, ClaimReviewInput, claim_review, json_ld_script_body
from factcheck.models import Article, Claim
from factcheck.safe_urls import is_public_url
from reviews import roles, selectors
from reviews.models import PublishedVersion, Review, Verdict

VERDICTS_PER_PAGE = 25
CORRECTIONS_PER_PAGE = 25
ORGANIZATION_ENTITY_LABELS = {"ORG", "NORP", "GPE", "FAC"}


def absolute_url(path: str) -> str:
    return settings.FACTCHECK_PUBLIC_BASE_URL.rstrip("/") + path


def article_public_url(article: Article) -> str:
    """Where a reader finds the article: the outlet's page if we know it, else our copy. A
    stored source URL that is not plain http(s) is never used (it feeds links and JSON-LD)."""
    if article.source_url and is_public_url(article.source_url):
        return article.source_url.strip()
    return absolute_url(reverse("article_detail", args=[article.pk]))


@dataclass(frozen=True)
class Attribution:
    """Who the public pages say made a claim, and how ("said", "announced")."""

    claimant: str  # "" when the claim is in the article's own voice
    cue: str
    is_organization: bool


def claim_attribution(claim: Claim) -> Attribution:
    """The desk's correction of the claimant if there is one; else the fullest name the
    article gives ("Vladimir Putin") rather than the words the claim was found with ("Putin").
    Reads claim.claimant_correction: load it with the claim (select_related or prefetch)."""
    correction = getattr(claim, "claimant_correction", None)
    if correction is not None:
        return Attribution(
            claimant=correction.claimant,
            cue=correction.cue,
            is_organization=_names_an_organization(claim, correction.claimant),
        )
    return Attribution(
        claimant=claim.claimant_name or claim.claimant,
        cue=claim.cue,
        is_organization=claimant_is_organization(claim),
    )


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


def _names_an_organization(claim: Claim, name: str) -> bool:
    """Whether a reviewer's claimant names an organisation: the machine's claimant, if the
    name is still that one, else an organisation-like entity of the claim with that name.
    Anything else is taken for a person, as schema.org's Claim author usually is."""

    def plain(text: str) -> str:
        text = " ".join(text.split()).casefold()
        return text.removeprefix("the ")

    wanted = plain(name)
    if wanted in {plain(claim.claimant), plain(claim.claimant_name)} - {""}:
        return claimant_is_organization(claim)
    return any(
        entity.get("label") in ORGANIZATION_ENTITY_LABELS
        and wanted in {plain(entity.get("text", "")), plain(entity.get("name", ""))}
        for entity in claim.entities or []
    )


def _is_dismissed(claim: Claim) -> bool:
    # The claim's own review, loaded with it; a claim never triaged has none.
    review = getattr(claim, "review", None)
    return review is not None and review.is_dismissed


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context = {"organization_name": settings.FACTCHECK_ORGANIZATION_NAME, **context}
    return render(request, template, context)


def _with_attributions(reviews) -> list[tuple[Review, Attribution]]:
    return [(review, claim_attribution(review.claim)) for review in reviews]


def home(request: HttpRequest) -> HttpResponse:
    latest = list(public_selectors.published_reviews_with_history()[:5])
    return _render(request, "factcheck/home.html", {"items": _with_attributions(latest)})


def verdict_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_selectors.published_reviews_with_history(), VERDICTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return _render(
        request, "factcheck/verdict_list.html", {"page": page, "items": _with_attributions(page)}
    )


def verdict_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    preview = roles.is_desk_member(request.user)
    try:
        review = selectors.review_for_verdict_page(review_id=review_id, include_unpublished=preview)
    except Review.DoesNotExist:
        raise Http404("No published verdict with this number.") from None
    public_selectors.review_load_public_extras(review)
    claim = review.claim
    duplicates = [dup for dup in claim.duplicates.all() if not _is_dismissed(dup)]
    is_published = review.state == Review.State.PUBLISHED
    versions = list(review.versions.all())
    json_ld = None
    if is_published:
        json_ld = mark_safe(
            json_ld_script_body(claim_review(claim_review_input(review, duplicates)))
        )
    context = {
        "review": review,
        "claim": claim,
        "attribution": claim_attribution(claim),
        "article": claim.article,
        "article_url": article_public_url(claim.article),
        "parts": claim.paragraph_parts(),
        "cited_evidence": list(review.cited_evidence.all()),
        "cited_sources": list(review.cited_sources.all()),
        "duplicates": [(dup, claim_attribution(dup)) for dup in duplicates],
        "json_ld": json_ld,
        "is_preview": not is_published,
        # The notice at the top: each correction or update, newest first.
        "changes": list(reversed(versions[1:])),
        # What readers saw before: every version but the current one (all of them in a
        # preview, whose draft has not been published), newest first.
        "earlier_versions": list(reversed(versions[:-1] if is_published else versions)),
        "first_published_at": versions[0].published_at if versions else review.published_at,
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
    # A duplicate the desk dismissed is not shown with its canonical claim's verdict.
    pairs = [(claim, review) for claim, review in pairs if not _is_dismissed(claim)]
    if not pairs:
        raise Http404("No article with published verdicts has this number.")
    return _render(request, "factcheck/article_detail.html", {"article": article, "pairs": pairs})


@dataclass(frozen=True)
class CorrectionRow:
    """One line of /corrections/: the new version, and the verdict it replaced."""

    version: PublishedVersion
    previous_verdict: str
    previous_verdict_label: str


def corrections(request: HttpRequest) -> HttpResponse:
    """Every correction and update of a published verdict, newest first (the corrections
    policy: changes are made openly, with the reason)."""
    page = Paginator(public_selectors.published_corrections(), CORRECTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    labels = dict(Verdict.choices)
    rows = [
        CorrectionRow(
            version=version,
            previous_verdict=version.previous_verdict or "",
            previous_verdict_label=labels.get(version.previous_verdict, ""),
        )
        for version in page
    ]
    return _render(request, "factcheck/corrections.html", {"page": page, "rows": rows})


def claim_review_input(review: Review, duplicates: list[Claim]) -> ClaimReviewInput:
    """The facts of a published review that the ClaimReview markup needs: dated by its first
    publication, modified at its latest version, rated by its current verdict. Reads the
    review's versions and the claim's claimant correction (prefetch them for a list)."""
    claim = review.claim
    attribution = claim_attribution(claim)
    versions = sorted(review.versions.all(), key=lambda version: version.number)
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
        date_published=versions[0].published_at if versions else review.published_at,
        date_modified=versions[-1].published_at if versions else review.published_at,
        organization_name=settings.FACTCHECK_ORGANIZATION_NAME,
        organization_url=settings.FACTCHECK_ORGANIZATION_URL or settings.FACTCHECK_PUBLIC_BASE_URL,
        claimant=attribution.claimant,
        claimant_is_organization=attribution.is_organization,
        outlet=article.outlet,
        byline=article.byline,
        appearances=tuple(appearances),
        claim_date=article.published_on,
    )
