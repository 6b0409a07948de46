"""Public pages: published verdicts (listed, searched, one by one), the articles they appear
in, the corrections log and the methodology. No login needed.

Desk members may preview an unpublished verdict (marked as such, without ClaimReview markup);
everyone else gets a 404 for it, as for a verdict that does not exist. Dismissed claims are
never shown: they cannot be published, and a duplicate the desk dismissed is left out of its
canonical verdict's page and of its article's page.

A published verdict page is cached for the public until the verdict changes (verdict_detail);
the desk's views of it are always rendered afresh.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.safestring import mark_safe

from factcheck import claimant_pages, page_cache, public_selectors
from factcheck.article_highlight import Highlight, paragraphs_with_highlights
from factcheck.claimreview import Appearance, ClaimReviewInput, claim_review, json_ld_script_body
from factcheck.forms import VerdictSearchForm
from factcheck.models import Article, Claim
from factcheck.paginators import PageByIdPaginator
from factcheck.public_urls import absolute_url, site_base_url
from factcheck.safe_urls import is_public_url
from reviews import roles, selectors
from reviews.models import PublishedVersion, Review, Verdict

VERDICTS_PER_PAGE = 25
CORRECTIONS_PER_PAGE = 25
ORGANIZATION_ENTITY_LABELS = {"ORG", "NORP", "GPE", "FAC"}
# A published verdict page is cached under a key that changes with the verdict (see
# public_selectors.published_verdict_page_stamp), so the lifetime only bounds what the key
# does not see: the claimant's Wikipedia page (the markup's sameAs) stored later, or a
# deploy's new templates when the cache outlives the processes.
VERDICT_PAGE_CACHE_SECONDS = 60 * 60
# How long browsers and shared caches may reuse a verdict page before asking again (the ETag
# makes asking cheap): short, because a correction should reach readers quickly.
VERDICT_PAGE_MAX_AGE_SECONDS = 60


def article_public_url(article: Article, base_url: str) -> str:
    """Where a reader finds the article: the outlet's page if we know it, else our copy under
    base_url (public_urls.site_base_url). A stored source URL that is not plain http(s) is
    never used (it feeds links and JSON-LD)."""
    if article.source_url and is_public_url(article.source_url):
        return article.source_url.strip()
    return absolute_url(reverse("article_detail", args=[article.pk]), base_url)


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
    """Published verdicts, newest first, or those matching the search form (GET ?q=, verdict,
    claimant, dates), best match first. A form with errors lists nothing and says why."""
    form = VerdictSearchForm(request.GET)
    search = form.search() if form.is_valid() else None
    context = {"form": form, "page": None, "items": [], "search": search}
    if search is not None:
        reviews = (
            public_selectors.published_reviews_with_history()
            if search.is_empty
            else public_selectors.published_reviews_search(search)
        )
        # A page's rows picked by id, so a late page does not read every verdict before it.
        page = PageByIdPaginator(reviews, VERDICTS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, items=_with_attributions(page))
    return _render(request, "factcheck/verdict_list.html", context)


def verdict_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """A verdict's page. The public gets published verdicts only, cached until the verdict
    changes (no query when cached: factcheck.page_cache); the desk also previews unpublished ones,
    always rendered afresh and never stored by anyone."""
    if roles.is_desk_member(request.user):
        response = _verdict_page(request, review_id, include_unpublished=True)
        patch_cache_control(response, private=True, no_store=True)
        return response
    stamp = cache.get(page_cache.stamp_key(review_id))
    if stamp is None:
        stamp = public_selectors.published_verdict_page_stamp(review_id=review_id)
        if stamp is None:
            raise Http404("No published verdict with this number.")
        cache.set(page_cache.stamp_key(review_id), stamp, page_cache.STAMP_SECONDS)
    # The page's absolute URLs (JSON-LD) follow the request's origin, so it is in the key.
    digest = hashlib.sha256(repr((site_base_url(request), stamp)).encode()).hexdigest()
    key = f"verdict-page:{review_id}:{digest}"
    etag = quote_etag(digest[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        content = cache.get(key)
        if content is None:
            response = _verdict_page(request, review_id, include_unpublished=False)
            cache.set(key, response.content, VERDICT_PAGE_CACHE_SECONDS)
        else:
            response = HttpResponse(content)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=VERDICT_PAGE_MAX_AGE_SECONDS)
    return response


def _verdict_page(
    request: HttpRequest, review_id: int, *, include_unpublished: bool
) -> HttpResponse:
    try:
        review = public_selectors.verdict_page_review(
            review_id=review_id, include_unpublished=include_unpublished
        )
    except Review.DoesNotExist:
        raise Http404("No published verdict with this number.") from None
    claim = review.claim
    cited_evidence = list(review.cited_evidence.all())
    duplicates = [dup for dup in claim.duplicates.all() if not _is_dismissed(dup)]
    is_published = review.state == Review.State.PUBLISHED
    versions = list(review.versions.all())
    json_ld = None
    if is_published:
        json_ld = mark_safe(
            json_ld_script_body(
                claim_review(
                    claim_review_input(review, duplicates, base_url=site_base_url(request))
                )
            )
        )
    context = {
        "review": review,
        "claim": claim,
        "attribution": claim_attribution(claim),
        "article": claim.article,
        "article_url": article_public_url(claim.article, site_base_url(request)),
        "parts": claim.paragraph_parts(),
        "cited_evidence": cited_evidence,
        # Live pages carry a revision id and link to that revision; pages of the offline
        # snapshot have none, link to today's article, and must not claim to be exact.
        "evidence_links_are_exact": all(e.page.revision_id for e in cited_evidence),
        "evidence_has_exact_links": any(e.page.revision_id for e in cited_evidence),
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
    return _render(request, "factcheck/verdict_detail.html", context)


def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article, pairs = selectors.article_with_published_verdicts(article_id=article_id)
    except Article.DoesNotExist:
        raise Http404("No article with published verdicts has this number.") from None
    # A duplicate the desk dismissed is not shown with its canonical claim's verdict.
    pairs = [(claim, review) for claim, review in pairs if not _is_dismissed(claim)]
    if not pairs:
        raise Http404("No article with published verdicts has this number.")
    # Each checked claim marked where it stands in the text; the template escapes the text.
    paragraphs = paragraphs_with_highlights(
        article.text,
        [Highlight(claim.start, claim.end, (claim, review)) for claim, review in pairs],
    )
    context = {"article": article, "pairs": pairs, "paragraphs": paragraphs}
    return _render(request, "factcheck/article_detail.html", context)


def methodology(request: HttpRequest) -> HttpResponse:
    """How the desk works: what the verdicts mean, how claims are chosen, where evidence
    comes from, the two-person rule and the corrections policy."""
    # Imported here: the corpus module loads the search index library, which no other public
    # page needs.
    from factcheck.evidence.corpus import SNAPSHOT_DATE

    return _render(request, "factcheck/methodology.html", {"snapshot_date": SNAPSHOT_DATE})


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


def claim_review_input(
    review: Review,
    duplicates: list[Claim],
    *,
    base_url: str,
    claimant_same_as: str | None = None,
) -> ClaimReviewInput:
    """The facts of a published review that the ClaimReview markup needs: dated by its first
    publication, modified at its latest version, rated by its current verdict, every URL under
    base_url (public_urls.site_base_url). The claim appeared in its article and in each
    duplicate's that the desk did not dismiss.

    claimant_same_as is the claimant's Wikipedia page as claimant_pages gives it; a list passes
    what claimant_pages.with_claimant_wikipedia_url annotated ("" or None for none found), and
    leaving it out looks it up (one query). Reads the review's versions, the claim's claimant
    correction and each duplicate's review: prefetch them for a list."""
    claim = review.claim
    attribution = claim_attribution(claim)
    if claimant_same_as is None:
        claimant_same_as = claimant_pages.claimant_wikipedia_url(claim)
    versions = sorted(review.versions.all(), key=lambda version: version.number)
    article = claim.article
    appearances, seen = [], set()
    for c in [claim, *(dup for dup in duplicates if not _is_dismissed(dup))]:
        if c.article_id in seen:
            continue
        seen.add(c.article_id)
        a = c.article
        appearances.append(
            Appearance(
                url=article_public_url(a, base_url),
                headline=a.title,
                date_published=a.published_on,
                outlet=a.outlet,
            )
        )
    return ClaimReviewInput(
        review_url=absolute_url(review.get_absolute_url(), base_url),
        claim_text=claim.text,
        verdict=review.verdict,
        date_published=versions[0].published_at if versions else review.published_at,
        date_modified=versions[-1].published_at if versions else review.published_at,
        organization_name=settings.FACTCHECK_ORGANIZATION_NAME,
        organization_url=(
            settings.FACTCHECK_ORGANIZATION_URL or absolute_url(reverse("home"), base_url)
        ),
        claimant=attribution.claimant,
        claimant_is_organization=attribution.is_organization,
        claimant_same_as=claimant_same_as or "",
        outlet=article.outlet,
        byline=article.byline,
        appearances=tuple(appearances),
        claim_date=article.published_on,
    )
