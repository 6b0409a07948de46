"""The desk's claim page: the claim in context, its evidence, the verdict form, and the
actions on it. The editor's side is in test_claim_page_workflow.py, sources and the search
box in test_claim_page_sources.py, notes, the timeline and the claimant in
test_claim_page_timeline.py."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.models import Claim
from reviews import services
from reviews.models import AuditEntry, Review, Source, Verdict
from tests.factories import (
    make_claim,
    make_claim_with_evidence,
    make_evidence,
    make_published_review,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"


def claim_url(claim) -> str:
    return f"{QUEUE}{claim.pk}/change/"


def page_source(response) -> str:
    """The page's markup with entities decoded ("claim's", not "claim&#x27;s")."""
    return html.unescape(response.content.decode())


def visible_text(markup: str) -> str:
    """The page as a reader sees it before opening any disclosure: no markup, no <details>
    bodies (their <summary> stays), no hidden form values."""
    markup = re.sub(
        r"<details[^>]*>\s*<summary>(.*?)</summary>.*?</details>", r"\1", markup, flags=re.S
    )
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def add_source(claim, user, **fields) -> Source:
    defaults = {
        "url": "https://gov.example.org/census-2026.pdf",
        "title": "Census 2026, table 4",
        "quote": "1,200 residents were moved out of the city centre.",
        "publisher": "Statistics Office",
    }
    defaults.update(fields)
    return services.source_add(claim=claim, user=user, **defaults)


# --- What the page shows ---------------------------------------------------------------------


def test_the_claim_page_shows_the_claim_in_its_paragraph_and_its_evidence(as_reviewer):
    claim = make_claim_with_evidence(n_evidence=2)
    body = as_reviewer.get(claim_url(claim)).content.decode()
    assert (
        "Officials met in Geneva on Monday. The health minister said that <mark>1,200 people"
        in body
    )
    assert "The health minister" in body and "said" in body
    assert "Contains a number of people; reported speech." in body  # check-worthiness reasons
    assert "Compare the number with the source." in body  # evidence hint
    for evidence in claim.evidence.select_related("page"):
        assert f"oldid={evidence.page.revision_id}" in body
        assert evidence.page.revision_label in body
        assert evidence.sentence in body
    assert "CC BY-SA 4.0" in body
    assert 'name="verdict"' in body and 'name="cited_evidence"' in body
    assert 'name="cited_sources"' not in body or "No sources of your own yet" in body


def test_it_shows_the_claimants_fullest_name_with_the_cue(as_reviewer):
    claim = make_claim(claimant="Putin", claimant_name="Vladimir Putin", cue="announced")
    text = visible_text(as_reviewer.get(claim_url(claim)).content.decode())
    assert "Claimed by Vladimir Putin “announced”" in text
    assert "Called “Putin” in the sentence." in text


def test_scores_methods_and_hint_kinds_sit_behind_a_details_disclosure(as_reviewer):
    claim = make_claim(
        quantities=[
            {"text": "150,000", "value": 150000.0, "unit": "troops", "bound": "exact"},
        ],
        evidence_hints=[
            {
                "kind": "number_mismatch",
                "message": "The claim says 150,000 troops; Wikipedia gives 48,000 Russian "
                "servicemen (Russian involvement in the Syrian civil war).",
                "page_title": "Russian involvement in the Syrian civil war",
                "sentence_index": 4,
            },
            {"kind": "an_old_kind", "message": "Stored before kinds had labels."},
        ],
    )
    make_evidence(claim=claim, score=2.756, method="bm25+entity")
    body = page_source(as_reviewer.get(claim_url(claim)))
    text = visible_text(body)
    assert "The claim says 150,000 troops; Wikipedia gives 48,000 Russian servicemen" in text
    assert "Stored before kinds had labels." in text
    assert "Figures 150,000 troops" in text
    for engineering in ("number_mismatch", "an_old_kind", "bm25", "2.756", "150000.0", "exact"):
        assert engineering not in text, engineering
    assert text.count("Details") >= 3  # each hint and the evidence row
    # One click away: the disclosure holds the score, the method in words and the hint's kind.
    assert "Score 2.756; method bm25+entity." in body
    assert "It shares words with the claim and names the claim's people" in body
    assert "Different figures; about “Russian involvement in the Syrian civil war”" in body
    assert "an_old_kind" not in body  # an unknown stored kind is called just "Hint"


def test_the_claim_page_runs_a_fixed_number_of_queries(as_reviewer, reviewer):
    def page_queries(n: int) -> list[str]:
        claim = make_claim_with_evidence(n_evidence=n)
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
        sources = [add_source(claim, reviewer, url=f"https://example.org/{i}") for i in range(n)]
        services.review_submit(
            claim=claim,
            reviewer=reviewer,
            verdict=Verdict.SUPPORTED,
            rationale="Census.",
            evidence_ids=claim.evidence.values_list("pk", flat=True),
            source_ids=[s.pk for s in sources],
        )
        for i in range(n):
            services.note_add(claim=claim, author=reviewer, text=f"Note {i}")
        with CaptureQueriesContext(connection) as ctx:
            assert as_reviewer.get(claim_url(claim)).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    small, large = page_queries(1), page_queries(5)
    # session, user, the claim (article, review, duplicate's review, claimant correction
    # joined), desk groups, 2 permission queries; the review, evidence (pages, who attached),
    # sources, cited evidence, cited sources; notes, state changes, audit entries of edits;
    # the latest worker heartbeat (the admin's "no worker" banner).
    assert len(large) == len(small) == 15, large


# --- The verdict ------------------------------------------------------------------------------


def test_the_verdict_cites_machine_evidence_searched_evidence_and_own_sources(
    as_reviewer, reviewer
):
    claim = make_claim_with_evidence(n_evidence=2)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    machine = claim.evidence.order_by("rank").first()
    searched = make_evidence(claim=claim, rank=3, added_by=reviewer, search_query="census")
    source = add_source(claim, reviewer)
    response = as_reviewer.post(
        claim_url(claim),
        {
            "verdict": "misattributed",
            "rationale": "The agency said it, not the minister.",
            "cited_evidence": [machine.pk, searched.pk],
            "cited_sources": [source.pk],
            "_verdict": "Submit for approval",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(claim=claim)
    assert (review.verdict, review.reviewer, review.state) == (
        "misattributed",
        reviewer,
        Review.State.SUBMITTED,
    )
    assert set(review.cited_evidence.values_list("pk", flat=True)) == {machine.pk, searched.pk}
    assert list(review.cited_sources.all()) == [source]
    assert AuditEntry.objects.filter(claim=claim, action="verdict_submitted").exists()
    page = as_reviewer.get(claim_url(claim)).content.decode()
    assert page.count("✓ cited") == 3
    assert "Submit for approval" in page and "Revise your verdict (awaiting approval)" in page


def test_the_verdict_form_shows_its_errors_and_records_nothing(as_reviewer):
    claim = make_claim_with_evidence()
    response = as_reviewer.post(
        claim_url(claim), {"verdict": "supported", "rationale": "  ", "_verdict": "1"}
    )
    assert response.status_code == 200
    assert response.context["verdict_form"].errors["rationale"]
    assert not Review.objects.exists()


def test_citations_of_another_claim_are_refused_by_the_form(as_reviewer, reviewer):
    claim = make_claim_with_evidence()
    other = make_claim_with_evidence()
    foreign = other.evidence.first()
    response = as_reviewer.post(
        claim_url(claim),
        {
            "verdict": "supported",
            "rationale": "Census.",
            "cited_evidence": [foreign.pk],
            "_verdict": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["verdict_form"].errors["cited_evidence"]
    assert not Review.objects.exists()


def test_the_claim_text_and_offsets_cannot_be_changed(as_editor):
    claim = make_claim()
    response = as_editor.post(
        claim_url(claim),
        {"text": "Something else", "start": 0, "end": 3, "verdict": "supported", "rationale": "ok"},
        follow=True,
    )
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.text, fresh.start, fresh.end) == (claim.text, claim.start, claim.end)
    assert "Nothing was changed" in response.content.decode()
    assert not Review.objects.exists()


def test_a_second_reviewer_is_told_whose_claim_it_is(client, reviewer, second_reviewer):
    claim = make_claim_with_evidence()
    services.review_submit(
        claim=claim, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Census."
    )
    client.force_login(second_reviewer)
    page = client.get(claim_url(claim))
    assert page.context["verdict_form"] is None
    response = client.post(
        claim_url(claim), {"verdict": "unsupported", "rationale": "No.", "_verdict": "1"}
    )
    assert response.status_code == 200
    body = page_source(response).lower()
    # The service's own reason, not "someone else's, published, or a duplicate".
    assert "rita_reviewer submitted a verdict on claim" in body and "theirs stands" in body
    assert Review.objects.get(claim=claim).verdict == "supported"


def test_assign_to_me_goes_through_the_service(as_reviewer, reviewer):
    claim = make_claim()
    response = as_reviewer.post(claim_url(claim), {"_assign_to_me": "1"}, follow=True)
    assert "The claim is yours." in response.content.decode()
    assert Review.objects.get(claim=claim).assignee == reviewer
    assert 'name="_assign_to_me"' not in response.content.decode()
    assert list(AuditEntry.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "review_assigned"
    ]


def test_a_reviewer_cannot_take_a_claim_assigned_to_someone_else(
    client, reviewer, second_reviewer, editor
):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    client.force_login(second_reviewer)
    body = client.get(claim_url(claim)).content.decode()
    assert 'name="_assign_to_me"' not in body
    response = client.post(claim_url(claim), {"_assign_to_me": "1"}, follow=True)
    assert "already assigned to rita_reviewer" in page_source(response)
    assert Review.objects.get(claim=claim).assignee == reviewer


def test_a_duplicate_claim_page_shows_the_canonical_verdict(as_reviewer, reviewer, editor):
    canonical = make_claim_with_evidence()
    make_published_review(claim=canonical, reviewer=reviewer, editor=editor, verdict="unsupported")
    duplicate = make_claim(canonical=canonical)
    response = as_reviewer.get(claim_url(duplicate))
    body = response.content.decode()
    assert "This claim repeats" in body and f"claim {canonical.pk}" in body
    assert "Unsupported" in body
    assert response.context["verdict_form"] is None
    assert 'name="_assign_to_me"' not in body
