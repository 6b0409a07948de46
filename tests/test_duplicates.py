"""Claims repeated across articles link to one canonical claim, whose verdict they show."""

from unittest import mock

import pytest

from factcheck import services, tasks
from factcheck.ingestion import read_document
from factcheck.models import Article, Claim, DuplicateSuggestion
from reviews import selectors
from reviews import services as review_services
from reviews.models import Verdict
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

SHARED_CLAIM = (
    "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria "
    "to wipe out the terror group."
)


def ingest_and_extract(text: str, filename: str) -> Article:
    draft = read_document(text.encode(), filename=filename, max_bytes=10**6)
    article = services.article_ingest(draft=draft).article
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    return article


def test_a_claim_repeated_in_a_second_article_links_to_the_first_and_shows_its_verdict(
    reviewer, editor
):
    first = ingest_and_extract(
        f"Russia escalates in Syria\n\n{SHARED_CLAIM}\n\nNATO called on Russia to stop.",
        "first.txt",
    )
    second = ingest_and_extract(
        "Kremlin war plans\n\nWarplanes flew over Idlib on Tuesday, the ministry said.\n\n"
        f"{SHARED_CLAIM}",
        "second.txt",
    )
    original = first.claims.get(text__contains="150,000 troops")
    repeat = second.claims.get(text__contains="150,000 troops")
    assert repeat.canonical_id == original.pk
    assert original.canonical_id is None

    review_services.review_assign(claim=original, assignee=reviewer, assigned_by=editor)
    review_services.review_submit(
        claim=original, reviewer=reviewer, verdict=Verdict.MISATTRIBUTED,
        rationale="The figure was the autumn call-up.",
    )  # fmt: skip
    review = selectors.claim_applicable_review(claim=repeat)
    assert review is not None and review.claim_id == original.pk
    assert review.verdict == Verdict.MISATTRIBUTED


def test_linking_twice_changes_nothing():
    first = ingest_and_extract(f"Headline one here\n\n{SHARED_CLAIM}", "a.txt")
    second = ingest_and_extract(f"Headline two here\n\n{SHARED_CLAIM}", "b.txt")
    assert services.claims_link_duplicates(article_id=second.pk) == (0, 0)
    assert services.claims_link_duplicates(article_id=first.pk) == (0, 0)
    assert Claim.objects.filter(canonical__isnull=False).count() == 1


def test_a_middling_match_is_suggested_and_a_reviewer_confirms_it(reviewer):
    ingest_and_extract(
        "Headline one here\n\nPutin announced plans to send 150,000 troops to Syria "
        "to wipe out the terror group, the Kremlin said on Monday.",
        "a.txt",
    )
    second = ingest_and_extract(
        "Headline two here\n\nPutin announced he will send 150,000 troops to Syria, "
        "a newspaper reported.",
        "b.txt",
    )
    suggestion = DuplicateSuggestion.objects.get(claim__article=second)
    assert suggestion.status == DuplicateSuggestion.Status.SUGGESTED
    assert suggestion.claim.canonical_id is None

    services.duplicate_decide(suggestion_id=suggestion.pk, confirm=True, actor=reviewer)
    services.duplicate_decide(suggestion_id=suggestion.pk, confirm=True, actor=reviewer)
    suggestion.claim.refresh_from_db()
    assert suggestion.claim.canonical_id == suggestion.candidate_id
    with pytest.raises(ValueError, match="already confirmed"):
        services.duplicate_decide(suggestion_id=suggestion.pk, confirm=False, actor=reviewer)


def test_seeds_000_and_002_together_link_only_claims_that_say_the_same_thing():
    for name in ("000_78987c1eabe726c7.txt", "002_8d4d6b896af71e55.txt"):
        path = SEEDS_DIR / name
        ingest_and_extract(path.read_text(), name)
    for claim in Claim.objects.filter(canonical__isnull=False).select_related("canonical"):
        # Any automatic link must be between claims with the same numbers and near wording.
        assert claim.article_id != claim.canonical.article_id
        assert (
            services.claim_signature(claim.text).numbers
            == services.claim_signature(claim.canonical.text).numbers
        )
