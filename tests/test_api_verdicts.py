"""Published verdicts through the REST API (factcheck/api.py): open to anyone, published only,
each with its public page's address and its ClaimReview object."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reviews import services
from tests.api_helpers import API, second_editor, token_client
from tests.factories import make_claim, make_claim_with_evidence, make_published_review

pytestmark = pytest.mark.django_db


def submitted(claim, reviewer):
    return services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict="unsupported",
        rationale="The census gives 400.",
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)[:1]),
    )


def test_anonymous_callers_see_published_verdicts_only(reviewer, editor):
    published = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    awaiting = submitted(make_claim_with_evidence(), reviewer)
    taken_down = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    services.review_unpublish(review=taken_down, editor=editor, reason="Wrong city.")
    dismissed = services.claim_dismiss(claim=make_claim(), user=reviewer, reason="opinion")
    client = APIClient()

    listing = client.get(f"{API}/verdicts/")

    assert listing.status_code == 200
    assert [v["id"] for v in listing.json()["results"]] == [published.pk]
    for hidden in (awaiting, taken_down, dismissed):
        response = client.get(f"{API}/verdicts/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No Review matches the given query."}


def test_a_verdict_carries_its_page_address_from_the_request_and_its_claim_review(reviewer, editor):
    claim = make_claim_with_evidence()
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    body = APIClient().get(f"{API}/verdicts/{review.pk}/", HTTP_HOST="localhost:8123").json()

    page = f"http://localhost:8123/verdicts/{review.pk}/"
    assert body["url"] == page
    assert (body["claim"], body["verdict"], body["verdict_label"]) == (
        claim.text,
        "misattributed",
        "Misattributed",
    )
    assert body["claimant"] == "The health minister"
    assert body["article"]["url"] == claim.article.source_url
    assert body["citations"] == [
        {
            "kind": "evidence",
            "title": claim.evidence.first().page.title,
            "url": claim.evidence.first().page.permalink,
            "quote": claim.evidence.first().sentence,
        }
    ]
    claim_review = body["claim_review"]
    assert claim_review["@type"] == "ClaimReview"
    assert claim_review["url"] == page
    assert claim_review["claimReviewed"] == claim.text
    assert claim_review["reviewRating"]["alternateName"] == "Misattributed"
    assert [v["kind"] for v in body["versions"]] == ["first"]


def test_a_corrected_verdict_shows_every_version_with_its_reason(reviewer, editor):
    claim = make_claim_with_evidence()
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    corrected = token_client(second_editor()).post(
        f"{API}/claims/{claim.pk}/correct/",
        {"verdict": "unsupported", "reason": "The agency said it, and it was 400."},
    )
    assert corrected.status_code == 200

    body = APIClient().get(f"{API}/verdicts/{review.pk}/").json()

    assert body["verdict"] == "unsupported"
    assert [(v["number"], v["kind"], v["verdict"], v["reason"]) for v in body["versions"]] == [
        (1, "first", "misattributed", ""),
        (2, "correction", "unsupported", "The agency said it, and it was 400."),
    ]


def test_the_verdict_list_costs_the_same_queries_for_2_verdicts_as_for_8(reviewer, editor):
    client = APIClient()

    def queries_for(n: int) -> int:
        for _ in range(n):
            make_published_review(
                claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/verdicts/")
        assert len(response.json()["results"]) == response.json()["count"]
        return len(captured.captured_queries)

    few = queries_for(2)
    many = queries_for(6)  # 8 in all
    # Count, the page, then cited evidence, cited sources, versions and duplicates.
    assert few == many == 6
