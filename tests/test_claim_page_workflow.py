"""The two-person rule on the claim page: submit, return with a note, resubmit, publish by
another editor, unpublish and correct with a reason; triage (dismiss, restore). Every step is
a button or form on the page, and a refusal shows the service's reason."""

import html

import pytest

from reviews import services
from reviews.models import AuditEntry, PublishedVersion, Review, Verdict
from tests.conftest import make_staff_user
from tests.factories import make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db


def claim_url(claim) -> str:
    return f"/admin/reviews/queueclaim/{claim.pk}/change/"


def body(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def second_editor(db):
    return make_staff_user("erin_editor", "Editor")


def submitted_claim(reviewer):
    """A claim the reviewer has taken and submitted, citing its first evidence."""
    claim = make_claim_with_evidence(n_evidence=2)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="The census agrees.",
        evidence_ids=[claim.evidence.order_by("rank").first().pk],
    )
    return claim


def published_claim(reviewer, editor):
    claim = submitted_claim(reviewer)
    services.review_publish(review=claim.review, editor=editor)
    return claim


def test_an_editor_returns_with_a_note_the_reviewer_resubmits_and_another_editor_publishes(
    client, reviewer, editor, second_editor
):
    claim = submitted_claim(reviewer)

    client.force_login(editor)
    page = body(client.get(claim_url(claim)))
    assert 'value="Publish"' in page and 'value="Return to reviewer"' in page
    client.post(
        claim_url(claim),
        {"return-note": "Cite the census table, not the press release.", "_return": "1"},
    )
    assert Review.objects.get(claim=claim).state == Review.State.RETURNED

    client.force_login(reviewer)
    page = body(client.get(claim_url(claim)))
    assert 'id="returned-note"' in page
    assert "Returned to rita_reviewer by eddie_editor" in page
    assert "Cite the census table, not the press release." in page
    # Above the claim itself, where the reviewer cannot miss it.
    assert page.index('id="returned-note"') < page.index(f"<h2>{claim.article.title}</h2>")
    evidence = list(claim.evidence.order_by("rank").values_list("pk", flat=True))
    response = client.post(
        claim_url(claim),
        {
            "verdict": "supported",
            "rationale": "Table 4 of the census gives 1,200.",
            "cited_evidence": evidence,
            "_verdict": "Submit for approval",
        },
        follow=True,
    )
    assert "Verdict submitted for approval" in body(response)
    assert 'id="returned-note"' not in body(response)

    client.force_login(second_editor)
    response = client.post(claim_url(claim), {"_publish": "1"}, follow=True)
    assert f"Verdict published. Readers see it at /verdicts/{claim.review.pk}/." in body(response)
    review = Review.objects.get(claim=claim)
    assert (review.state, review.published_by) == (Review.State.PUBLISHED, second_editor)
    transitions = list(review.transitions.values_list("to_state", "actor__username", "comment"))
    assert transitions == [
        ("submitted", "rita_reviewer", ""),
        ("returned", "eddie_editor", "Cite the census table, not the press release."),
        ("submitted", "rita_reviewer", ""),
        ("published", "erin_editor", ""),
    ]


def test_returning_needs_a_note(client, reviewer, editor):
    claim = submitted_claim(reviewer)
    client.force_login(editor)
    response = client.post(claim_url(claim), {"return-note": "  ", "_return": "1"})
    assert response.status_code == 200
    assert response.context["return_form"].errors["note"]
    assert Review.objects.get(claim=claim).state == Review.State.SUBMITTED


def test_an_editor_cannot_publish_their_own_verdict_and_is_told_why(client, editor):
    claim = make_claim_with_evidence()
    client.force_login(editor)
    client.post(claim_url(claim), {"_assign_to_me": "1"})
    client.post(
        claim_url(claim),
        {
            "verdict": "unsupported",
            "rationale": "No census gives this figure.",
            "cited_evidence": [claim.evidence.first().pk],
            "_verdict": "1",
        },
    )
    page = body(client.get(claim_url(claim)))
    assert 'name="_publish"' not in page
    assert "You submitted this verdict yourself; another editor must approve and publish it" in page

    response = client.post(claim_url(claim), {"_publish": "1"}, follow=True)
    assert "You submitted this verdict yourself; another editor must approve and publish it." in (
        body(response)
    )
    assert Review.objects.get(claim=claim).state == Review.State.SUBMITTED
    assert not AuditEntry.objects.filter(claim=claim, action="review_published").exists()


def test_a_reviewer_sees_no_editor_buttons_and_a_forged_publish_is_refused(client, reviewer):
    claim = submitted_claim(reviewer)
    client.force_login(reviewer)
    page = body(client.get(claim_url(claim)))
    assert 'name="_publish"' not in page and 'name="_return"' not in page
    response = client.post(claim_url(claim), {"_publish": "1"}, follow=True)
    assert "Only editors may publish verdicts." in body(response)
    assert Review.objects.get(claim=claim).state == Review.State.SUBMITTED


def test_unpublishing_needs_a_reason_and_sends_the_verdict_back(client, reviewer, editor):
    claim = published_claim(reviewer, editor)
    client.force_login(editor)
    response = client.post(claim_url(claim), {"unpublish-reason": "", "_unpublish": "1"})
    assert response.status_code == 200
    assert response.context["unpublish_form"].errors["reason"]
    assert Review.objects.get(claim=claim).state == Review.State.PUBLISHED

    response = client.post(
        claim_url(claim),
        {"unpublish-reason": "The census was revised in December.", "_unpublish": "1"},
        follow=True,
    )
    assert "Verdict unpublished" in body(response)
    review = Review.objects.get(claim=claim)
    assert (review.state, review.correction_reason) == (
        Review.State.RETURNED,
        "The census was revised in December.",
    )
    entry = AuditEntry.objects.get(claim=claim, action="review_unpublished")
    assert entry.details == {"reason": "The census was revised in December."}
    client.force_login(reviewer)
    page = body(client.get(claim_url(claim)))
    assert "Unpublished the verdict" in page and 'id="returned-note"' in page


def test_an_editor_corrects_a_published_verdict_with_a_reason(client, reviewer, editor):
    claim = published_claim(reviewer, editor)
    cited = claim.evidence.order_by("rank").values_list("pk", flat=True)
    form = {
        "correct-verdict": "unsupported",
        "correct-rationale": "The census counts 1,020, not 1,200.",
        "correct-cited_evidence": list(cited),
        "_correct": "1",
    }
    client.force_login(editor)
    response = client.post(claim_url(claim), {**form, "correct-reason": " "})
    assert response.status_code == 200
    assert response.context["correction_form"].errors["reason"]
    assert PublishedVersion.objects.filter(review__claim=claim).count() == 1

    response = client.post(
        claim_url(claim),
        {**form, "correct-reason": "We misread the census table."},
        follow=True,
    )
    assert "The correction is published." in body(response)
    latest = PublishedVersion.objects.filter(review__claim=claim).order_by("-number").first()
    assert (latest.number, latest.kind, latest.verdict, latest.reason) == (
        2,
        PublishedVersion.Kind.CORRECTION,
        "unsupported",
        "We misread the census table.",
    )
    assert "Corrected the published verdict" in body(response)


def test_a_reviewer_sees_no_correction_or_unpublish_form(client, reviewer, editor):
    claim = published_claim(reviewer, editor)
    client.force_login(reviewer)
    response = client.get(claim_url(claim))
    assert response.context["correction_form"] is None
    assert 'name="_unpublish"' not in body(response)
    assert response.context["verdict_form"] is None  # published: only an editor changes it


def test_a_reviewer_dismisses_a_claim_with_a_reason_and_an_editor_restores_it(
    client, reviewer, editor
):
    claim = make_claim()
    client.force_login(reviewer)
    response = client.post(claim_url(claim), {"dismiss-reason": "other", "_dismiss": "1"})
    assert response.context["dismiss_form"].errors["note"]
    response = client.post(
        claim_url(claim),
        {"dismiss-reason": "other", "dismiss-note": "A photo caption.", "_dismiss": "1"},
        follow=True,
    )
    page = body(response)
    assert "Claim dismissed" in page and "Dismissed: other (see note)" in page
    assert 'name="_restore"' not in page  # reviewers cannot restore
    assert response.context["verdict_form"] is None

    client.force_login(editor)
    response = client.post(claim_url(claim), {"_restore": "1"}, follow=True)
    assert "Claim restored to the queue." in body(response)
    assert not Review.objects.get(claim=claim).is_dismissed
    assert list(
        AuditEntry.objects.filter(claim=claim).order_by("id").values_list("action", flat=True)
    ) == ["claim_dismissed", "claim_restored"]
