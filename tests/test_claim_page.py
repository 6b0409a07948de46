"""The desk's claim page: the claim in context, its evidence, and the actions on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.models import Claim
from reviews import services
from reviews.models import AuditEntry, Review, Verdict
from tests.factories import (
    make_claim,
    make_claim_with_evidence,
    make_published_review,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"


def claim_url(claim) -> str:
    return f"{QUEUE}{claim.pk}/change/"


def listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


# --- Who reaches the queue -------------------------------------------------------------------


def test_the_claim_page_shows_the_claim_in_its_paragraph_and_its_evidence(as_reviewer):
    claim = make_claim_with_evidence(n_evidence=2)
    body = as_reviewer.get(claim_url(claim)).content.decode()
    assert (
        "Officials met in Geneva on Monday. The health minister said that <mark>1,200 people"
        in body
    )
    assert "The health minister" in body and "said" in body
    assert "contains a number of people" in body  # check-worthiness reasons
    assert "Compare the number with the source." in body  # evidence hint
    for evidence in claim.evidence.select_related("page"):
        assert f"oldid={evidence.page.revision_id}" in body
        assert evidence.page.revision_label in body
        assert evidence.sentence in body
    assert "CC BY-SA 4.0" in body
    assert 'name="verdict"' in body and 'name="cited_evidence"' in body


def test_the_claim_page_runs_a_fixed_number_of_queries(as_reviewer, reviewer):
    claim = make_claim_with_evidence(n_evidence=5)
    services.review_submit(
        claim=claim, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Census."
    )
    # session, user, the claim (article, review joined), desk groups, 2 permission queries,
    # the applicable review, its cited evidence (form initial), evidence for the table and
    # evidence for the form's checkboxes.
    with CaptureQueriesContext(connection) as ctx:
        as_reviewer.get(claim_url(claim))
    assert len(ctx) == 10, [q["sql"] for q in ctx.captured_queries]


def test_the_verdict_form_records_the_verdict_through_the_service(as_reviewer, reviewer):
    claim = make_claim_with_evidence(n_evidence=3)
    cited = list(claim.evidence.order_by("rank").values_list("pk", flat=True)[:2])
    response = as_reviewer.post(
        claim_url(claim),
        {
            "verdict": "misattributed",
            "rationale": "The agency said it, not the minister.",
            "cited_evidence": cited,
            "_verdict": "Record verdict",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(claim=claim)
    assert (review.verdict, review.reviewer, review.state) == ("misattributed", reviewer, "decided")
    assert sorted(review.cited_evidence.values_list("pk", flat=True)) == sorted(cited)
    assert AuditEntry.objects.filter(claim=claim, action="verdict_recorded").exists()
    assert as_reviewer.get(claim_url(claim)).content.decode().count("✓ cited") == 2


def test_the_verdict_form_shows_its_errors_and_records_nothing(as_reviewer):
    claim = make_claim_with_evidence()
    response = as_reviewer.post(claim_url(claim), {"verdict": "supported", "rationale": "  "})
    assert response.status_code == 200
    assert response.context["verdict_form"].errors["rationale"]
    assert not Review.objects.exists()


def test_the_claim_text_and_offsets_cannot_be_changed(as_editor):
    claim = make_claim()
    as_editor.post(
        claim_url(claim),
        {"text": "Something else", "start": 0, "end": 3, "verdict": "supported", "rationale": "ok"},
    )
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.text, fresh.start, fresh.end) == (claim.text, claim.start, claim.end)


def test_a_second_reviewer_is_told_the_first_verdict_stands(client, reviewer, second_reviewer):
    claim = make_claim()
    services.review_submit(
        claim=claim, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Census."
    )
    client.force_login(second_reviewer)
    page = client.get(claim_url(claim))
    assert page.context["verdict_form"] is None
    response = client.post(
        claim_url(claim), {"verdict": "unsupported", "rationale": "No."}, follow=True
    )
    assert "You cannot record a verdict" in response.content.decode()
    assert Review.objects.get(claim=claim).verdict == "supported"


def test_assign_to_me_and_publish_buttons_go_through_the_services(client, reviewer, editor):
    claim = make_claim()
    client.force_login(reviewer)
    client.post(claim_url(claim), {"_assign_to_me": "1"})
    assert Review.objects.get(claim=claim).assignee == reviewer
    client.post(claim_url(claim), {"verdict": "supported", "rationale": "The census agrees."})
    client.force_login(editor)
    client.post(claim_url(claim), {"_publish": "1"})
    assert Review.objects.get(claim=claim).state == Review.State.PUBLISHED
    assert list(
        AuditEntry.objects.filter(claim=claim).order_by("id").values_list("action", flat=True)
    ) == ["review_assigned", "verdict_recorded", "review_published"]


def test_a_duplicate_claim_page_shows_the_canonical_verdict(as_reviewer, reviewer, editor):
    canonical = make_claim()
    make_published_review(claim=canonical, reviewer=reviewer, editor=editor, verdict="unsupported")
    duplicate = make_claim(canonical=canonical)
    response = as_reviewer.get(claim_url(duplicate))
    body = response.content.decode()
    assert "This claim repeats" in body and f"claim {canonical.pk}" in body
    assert "Unsupported" in body
    assert response.context["verdict_form"] is None
    queue = as_reviewer.get(QUEUE).content.decode()
    assert f"Unsupported (claim {canonical.pk})" in queue
