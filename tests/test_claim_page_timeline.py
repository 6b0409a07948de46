"""Notes, the claim's one timeline (notes, state changes, edits), and the claimant correction
on the claim page; reviews.timeline on its own."""

import datetime as dt
import html

import pytest

from factcheck.models import Claim
from reviews import services, timeline
from reviews.models import AuditEntry, ClaimantCorrection, ClaimNote, Verdict
from tests.factories import make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db


def claim_url(claim) -> str:
    return f"/admin/reviews/queueclaim/{claim.pk}/change/"


def body(response) -> str:
    return html.unescape(response.content.decode())


def putin_claim() -> Claim:
    return make_claim_with_evidence(
        claimant="Putin", claimant_name="Vladimir Putin", cue="announced"
    )


# --- Notes and the timeline ------------------------------------------------------------------


def test_notes_state_changes_and_edits_show_as_one_timeline_oldest_first(client, reviewer, editor):
    claim = make_claim_with_evidence()
    client.force_login(reviewer)
    client.post(claim_url(claim), {"_assign_to_me": "1"})
    client.post(claim_url(claim), {"note-text": "Calling the ministry.", "_note": "1"})
    services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="The census agrees.",
        evidence_ids=[claim.evidence.first().pk],
    )
    client.force_login(editor)
    client.post(claim_url(claim), {"return-note": "Which census year?", "_return": "1"})
    services.source_add(
        claim=claim,
        user=reviewer,
        url="https://gov.example.org/census",
        title="Census 2026",
        quote="1,200 people.",
    )
    client.post(claim_url(claim), {"note-text": "Thanks, that settles it.", "_note": "1"})

    client.force_login(reviewer)
    response = client.get(claim_url(claim))
    entries = [(e.actor, e.summary, e.text) for e in response.context["timeline"]]
    assert entries == [
        ("rita_reviewer", "Took the claim", ""),
        ("rita_reviewer", "Note", "Calling the ministry."),
        ("rita_reviewer", "Submitted for approval", ""),
        ("eddie_editor", "Returned to the reviewer", "Which census year?"),
        ("rita_reviewer", "Added a source: Census 2026", "https://gov.example.org/census"),
        ("eddie_editor", "Note", "Thanks, that settles it."),
    ]
    history = body(response).split('id="timeline"', 1)[1]
    order = ["Calling the ministry.", "Submitted for approval", "Which census year?"]
    order += ["Added a source: Census 2026", "Thanks, that settles it."]
    positions = [history.index(text) for text in order]
    assert positions == sorted(positions)


def test_a_note_needs_text_and_says_so(client, reviewer):
    claim = make_claim()
    client.force_login(reviewer)
    response = client.post(claim_url(claim), {"note-text": "   ", "_note": "1"})
    assert response.status_code == 200
    assert response.context["note_form"].errors["text"]
    assert not ClaimNote.objects.exists()


def test_notes_stay_off_the_public_verdict_page(client, reviewer, editor):
    claim = make_claim_with_evidence()
    services.note_add(
        claim=claim, author=reviewer, text="Desk only: the source asked not to be named."
    )
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="The census agrees.",
        evidence_ids=[claim.evidence.first().pk],
    )
    services.review_publish(review=review, editor=editor)
    client.logout()
    public = client.get(review.get_absolute_url())
    assert public.status_code == 200
    assert "Desk only" not in body(public)


def test_the_timeline_reads_three_queries_however_long(django_assert_num_queries, reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_assign(
        claim=claim,
        assignee=reviewer,
        assigned_by=editor,
        due_on=dt.date(2026, 12, 10),
        priority="high",
    )
    for n in range(5):
        services.note_add(claim=claim, author=reviewer, text=f"Note {n}")
    services.claim_dismiss(claim=claim, user=reviewer, reason="opinion")
    services.claim_restore(claim=claim, editor=editor)
    with django_assert_num_queries(3):
        entries = timeline.claim_timeline(claim_id=claim.pk)
    summaries = [e.summary for e in entries]
    assert (
        summaries[0] == "Assigned the claim to rita_reviewer, due 10 December 2026, high priority"
    )
    assert summaries[-2:] == ["Dismissed the claim: opinion", "Restored the claim to the queue"]
    assert len(entries) == 8


# --- The claimant ----------------------------------------------------------------------------


def test_the_reviewer_corrects_the_claimant_and_the_machines_reading_is_kept(client, reviewer):
    claim = putin_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    client.force_login(reviewer)
    form = client.get(claim_url(claim)).context["claimant_form"]
    assert form["claimant"].value() == "Vladimir Putin"  # the fullest name, ready to edit

    response = client.post(
        claim_url(claim),
        {"claimant-claimant": "Sergei Shoigu", "claimant-cue": "said", "_claimant": "1"},
        follow=True,
    )
    assert "Claimant corrected." in body(response)
    correction = ClaimantCorrection.objects.get(claim=claim)
    assert (
        correction.claimant,
        correction.cue,
        correction.machine_claimant,
        correction.machine_cue,
        correction.corrected_by,
    ) == ("Sergei Shoigu", "said", "Putin", "announced", reviewer)
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.claimant, fresh.cue) == ("Putin", "announced")  # the machine's, untouched
    entry = AuditEntry.objects.get(claim=claim, action="claimant_corrected")
    assert entry.actor == reviewer
    assert entry.details["machine_claimant"] == "Putin" and entry.details["claimant"] == (
        "Sergei Shoigu"
    )
    page = body(response)
    assert "Sergei Shoigu" in page and "Machine: Putin announced" in page
    summaries = [e.summary for e in response.context["timeline"]]
    assert "Corrected the claimant to Sergei Shoigu (said)" in summaries


def test_only_the_assignee_or_an_editor_corrects_the_claimant(
    client, reviewer, second_reviewer, editor
):
    claim = putin_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    client.force_login(second_reviewer)
    assert client.get(claim_url(claim)).context["claimant_form"] is None
    response = client.post(
        claim_url(claim), {"claimant-claimant": "Someone", "_claimant": "1"}, follow=True
    )
    assert "only they or an editor may correct the claimant" in body(response)
    assert not ClaimantCorrection.objects.exists()

    client.force_login(editor)
    client.post(claim_url(claim), {"claimant-claimant": "Vladimir Putin", "_claimant": "1"})
    assert ClaimantCorrection.objects.get(claim=claim).corrected_by == editor


def test_a_published_verdicts_claimant_is_not_offered_for_correction(client, reviewer, editor):
    claim = putin_claim()
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.MISATTRIBUTED,
        rationale="Shoigu said it.",
        evidence_ids=[claim.evidence.first().pk],
    )
    services.review_publish(review=review, editor=editor)
    client.force_login(editor)
    assert client.get(claim_url(claim)).context["claimant_form"] is None
