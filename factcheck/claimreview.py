"""schema.org ClaimReview markup for a published verdict. Pure: dataclasses in, dict/str out.

Rating scale (documented here because consumers compare ratingValue within bestRating and
worstRating, and our three verdicts are not a fine-grained truth scale):

    ratingValue 3  "Supported"      the evidence supports the claim as stated    (bestRating)
    ratingValue 2  "Misattributed"  what is said may hold, but not said by whom the article
                                    says: the claim as attributed is wrong
    ratingValue 1  "Unsupported"    the evidence does not support the claim     (worstRating)

alternateName carries the verdict's words; it is what search engines show, and several real
publishers give only that. Numbers are emitted as integers (schema.org allows Number or Text).

The fields are those the real ClaimReviews commonly carry (tests/fixtures/claimreview_shape.json,
the shape of 61 records from about 25 outlets; tests/test_claimreview_complete.py compares):
the reviewing organisation with @id, url and sameAs; the claim with its author (sameAs the
claimant's Wikipedia page when the page store has it), its date and where it appeared.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urldefrag

from factcheck.safe_urls import is_public_url

RATINGS: dict[str, tuple[int, str]] = {
    "supported": (3, "Supported"),
    "misattributed": (2, "Misattributed"),
    "unsupported": (1, "Unsupported"),
}
BEST_RATING = 3
WORST_RATING = 1


@dataclass(frozen=True)
class Appearance:
    """Where the claim was published: an article (ours, or the outlet's own URL)."""

    url: str
    headline: str
    date_published: date | None = None
    outlet: str = ""  # who published it, if known


@dataclass(frozen=True)
class ClaimReviewInput:
    review_url: str  # absolute URL of our verdict page
    claim_text: str
    verdict: str  # a reviews.models.Verdict value, the current one
    date_published: datetime | date  # the first publication; corrections do not move it
    organization_name: str
    organization_url: str = ""
    claimant: str = ""  # who the article says made the claim; "" = the article itself
    claimant_is_organization: bool = False
    # The claimant's own Wikipedia page (factcheck.claimant_pages); "" when none is known.
    claimant_same_as: str = ""
    outlet: str = ""  # who published the article, if known
    byline: str = ""
    appearances: tuple[Appearance, ...] = field(default_factory=tuple)
    claim_date: date | None = None  # when the claim was first published, if known
    # When the verdict last changed (its latest published version); None leaves it out.
    date_modified: datetime | date | None = None


def _iso(value: datetime | date) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _claim_author(data: ClaimReviewInput) -> dict | None:
    """The person or organisation the claim is attributed to: the claimant, or else the
    article's own voice (its outlet, or failing that its byline)."""
    if data.claimant:
        kind = "Organization" if data.claimant_is_organization else "Person"
        author = {"@type": kind, "name": data.claimant}
        if data.claimant_same_as and is_public_url(data.claimant_same_as):
            author["sameAs"] = data.claimant_same_as
        return author
    if data.outlet:
        return {"@type": "Organization", "name": data.outlet}
    if data.byline:
        return {"@type": "Person", "name": data.byline}
    return None


def claim_review(data: ClaimReviewInput) -> dict:
    """The ClaimReview object for one published verdict.

    Raises ValueError for a verdict outside RATINGS or a relative review URL (search engines
    ignore markup whose url is not absolute). Other URLs that are not plain http(s) (an
    appearance, the organisation) are left out rather than published.
    """
    if data.verdict not in RATINGS:
        raise ValueError(
            f"No rating for verdict {data.verdict!r}; expected one of {list(RATINGS)}."
        )
    if not data.review_url.startswith(("https://", "http://")):
        raise ValueError(f"ClaimReview url must be absolute, got {data.review_url!r}.")
    value, name = RATINGS[data.verdict]

    item: dict = {"@type": "Claim"}
    author = _claim_author(data)
    if author:
        item["author"] = author
    if data.claim_date:
        item["datePublished"] = data.claim_date.isoformat()
    if data.appearances:
        item["appearance"] = [_appearance(a) for a in data.appearances]

    organization = {"@type": "Organization", "name": data.organization_name}
    if data.organization_url and is_public_url(data.organization_url):
        # @id names the organisation as a node, so the many reviews of a DataFeed are by one
        # author. sameAs, in schema.org's words, is a page that identifies the item, such as
        # its official website: the only one we know (the real ones add social profiles).
        organization["@id"] = urldefrag(data.organization_url).url + "#organization"
        organization["url"] = data.organization_url
        organization["sameAs"] = data.organization_url

    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": data.review_url,
        "datePublished": _iso(data.date_published),
        **({"dateModified": _iso(data.date_modified)} if data.date_modified else {}),
        "claimReviewed": data.claim_text,
        "itemReviewed": item,
        "author": organization,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": name,
        },
    }


def _appearance(appearance: Appearance) -> dict:
    """An article the claim appeared in, as a schema.org CreativeWork (NewsArticle)."""
    found: dict = {"@type": "NewsArticle"}
    if is_public_url(appearance.url):
        found["url"] = appearance.url
    found["headline"] = appearance.headline
    if appearance.date_published:
        found["datePublished"] = appearance.date_published.isoformat()
    if appearance.outlet:
        found["publisher"] = {"@type": "Organization", "name": appearance.outlet}
    return found


# Characters that could end the <script> element or open an HTML comment or CDATA inside
# it; JSON allows any character as a \u escape, so the parsed value is unchanged.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script_body(data: dict) -> str:
    """JSON for inside <script type="application/ld+json">: a claim text containing
    "</script>" or "<!--" cannot break out of the element. Mark it safe only after this."""
    return json.dumps(data, ensure_ascii=False, indent=2).translate(_SCRIPT_ESCAPES)
