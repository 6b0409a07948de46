"""The claimant's own Wikipedia page, for the sameAs of a ClaimReview's claim author. Reads only.

A claimant gets one only when the page store (ReferencePage: every page fetched as evidence,
live or from the offline corpus) holds a Wikipedia page whose title is exactly the claimant's
fullest name: the desk's correction if there is one, else Claim.claimant_name ("Vladimir
Putin", never the bare "Putin" the claim was found with). The URL is the stored page's, never
one built from the name: sameAs asserts identity, and a guessed page may be someone else's or
not exist. Disambiguation pages name several people, so they never count.
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from factcheck.models import Claim, ReferencePage
from reviews.models import Review

# Wikipedia's short description of every disambiguation page, and the word that other
# descriptions of them (older snapshots, other tools) use.
DISAMBIGUATION = Q(description__iexact="Topics referred to by the same term") | Q(
    description__icontains="disambiguation"
)


def _wikipedia_pages() -> QuerySet[ReferencePage]:
    return (
        ReferencePage.objects.filter(wiki__iendswith="wikipedia.org")
        .exclude(url="")
        .exclude(DISAMBIGUATION)
        .order_by("-fetched_at", "-pk")
    )


def claimant_full_name(claim: Claim) -> str:
    """The name a claimant's page must carry. Reads claim.claimant_correction (load it)."""
    correction = getattr(claim, "claimant_correction", None)
    if correction is not None:
        return correction.claimant
    return claim.claimant_name


def claimant_wikipedia_url(claim: Claim) -> str:
    """The stored Wikipedia page of the claim's claimant, or "": one query (none without a name)."""
    name = claimant_full_name(claim)
    if not name:
        return ""
    return _wikipedia_pages().filter(title=name).values_list("url", flat=True).first() or ""


def with_claimant_wikipedia_url(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """The reviews annotated with claimant_wikipedia_url (None when there is no such page), as
    claimant_wikipedia_url(review.claim) gives it, in the same query: for lists."""
    name = Coalesce(
        OuterRef("claim__claimant_correction__claimant"), OuterRef("claim__claimant_name")
    )
    page_url = _wikipedia_pages().filter(title=name).values("url")[:1]
    return reviews.annotate(claimant_wikipedia_url=Subquery(page_url))
