"""The desk through the REST API (reviews/api.py): reading claims, each desk action, and each
refusal with its status code and the service's own reason."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reviews import services
from reviews.models import AuditEntry, ClaimNote, Review, Source
from tests.api_helpers import API, outsider_client, second_editor, token_client
from tests.factories import make_article, make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db


def claim_url(claim, action: str = "") -> str:
    return f"{API}/claims/{claim.pk}/" + (f"{action}/" if action else "")


def submitted(claim, reviewer) -> Review:
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    return services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict="unsupported",
        rationale="The census gives 400.",
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)[:1]),
    )


# --- Who may call ----------------------------------------------------------------------------


def test_anonymous_requests_are_told_to_authenticate():
    claim = make_claim()
    client = APIClient()

    listing = client.get(f"{API}/claims/")
    action = client.post(claim_url(claim, "assign"), {"assignee": "x"}, format="json")

    assert listing.status_code == 401 and action.status_code == 401
    assert listing["WWW-Authenticate"] == "Token"
    assert "credentials were not provided" in listing.json()["detail"]


def test_staff_outside_the_desk_are_refused_even_with_a_token(outsider):
    claim = make_claim()
    client = outsider_client(outsider)

    for response in (
        client.get(f"{API}/claims/"),
        client.get(claim_url(claim)),
        client.post(claim_url(claim, "notes"), {"text": "hello"}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Only members of the review desk")
    assert not ClaimNote.objects.exists()


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(f"{API}/claims/").status_code == 401


def test_a_signed_in_desk_member_may_use_the_api_with_the_sessions_csrf_check(reviewer):
    claim = make_claim()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reviewer)

    assert client.get(claim_url(claim)).status_code == 200
    forged = client.post(claim_url(claim, "notes"), {"text": "from another site"}, format="json")
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]


def test_an_unknown_claim_is_not_found(editor):
    client = token_client(editor)
    for response in (
        client.get(f"{API}/claims/999999/"),
        client.get(f"{API}/claims/not-a-number/"),
        client.get(f"{API}/claims/{2**70}/"),
        client.post(f"{API}/claims/999999/publish/"),
    ):
        assert response.status_code == 404
        assert "detail" in response.json()


# --- Reading claims --------------------------------------------------------------------------


def test_the_claim_shows_its_evidence_sources_review_and_history(reviewer, editor):
    claim = make_claim_with_evidence(n_evidence=2)
    evidence = list(claim.evidence.order_by("rank"))
    services.review_assign(
        claim=claim, assignee=reviewer, assigned_by=editor, due_on=dt.date(2026, 12, 1)
    )
    source = services.source_add(
        claim=claim,
        user=reviewer,
        url="https://stats.example.org/census",
        title="Census 2026",
        quote="The city had 400 evacuees.",
        publisher="Statistics Office",
    )
    services.note_add(claim=claim, author=editor, text="Check the census first.")
    services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict="unsupported",
        rationale="The census gives 400.",
        evidence_ids=[evidence[0].pk],
        source_ids=[source.pk],
    )

    body = token_client(reviewer).get(claim_url(claim)).json()

    assert body["text"] == claim.text and body["state"] == "submitted"
    assert body["claimant"] == "The health minister" and body["cue"] == "said"
    assert body["quantities"][0]["value"] == 1200.0
    assert [e["id"] for e in body["evidence"]] == [e.pk for e in evidence]
    first = body["evidence"][0]
    assert first["page_title"] == evidence[0].page.title
    assert first["revision"].startswith("revision ")
    assert "oldid=" in first["url"] and first["added_by"] is None
    assert body["sources"] == [
        {
            "id": source.pk,
            "url": "https://stats.example.org/census",
            "title": "Census 2026",
            "publisher": "Statistics Office",
            "quote": "The city had 400 evacuees.",
            "accessed_on": source.accessed_on.isoformat(),
            "archived_url": "",
            "added_by": "rita_reviewer",
            "added_at": body["sources"][0]["added_at"],
        }
    ]
    review = body["review"]
    assert (review["state"], review["assignee"], review["due_on"]) == (
        "submitted",
        "rita_reviewer",
        "2026-12-01",
    )
    assert review["verdict"] == "unsupported" and review["reviewer"] == "rita_reviewer"
    assert review["cited_evidence"] == [evidence[0].pk]
    assert review["cited_sources"] == [source.pk]
    assert [(h["kind"], h["by"], h["text"]) for h in body["history"]] == [
        ("note", "eddie_editor", "Check the census first."),
        ("transition", "rita_reviewer", ""),
    ]
    assert body["history"][1]["to_state"] == "submitted"


def test_the_list_filters_by_article_state_assignee_and_verdict(reviewer, second_reviewer, editor):
    article = make_article(text="One. 1,200 people were evacuated from the city. Two.")
    unassigned = make_claim(article=article)
    assigned = make_claim(priority="low")
    services.review_assign(claim=assigned, assignee=second_reviewer, assigned_by=editor)
    decided = make_claim_with_evidence()
    submitted(decided, reviewer)
    client = token_client(reviewer)

    def ids(query: str) -> list[int]:
        response = client.get(f"{API}/claims/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"article={article.pk}") == [unassigned.pk]
    assert ids("state=unassigned") == [unassigned.pk]
    assert ids("state=assigned") == [assigned.pk]
    assert ids("state=submitted") == [decided.pk]
    assert ids("assignee=sam_reviewer") == [assigned.pk]
    assert ids("verdict=unsupported") == [decided.pk]
    assert ids("state=published") == []
    row = client.get(f"{API}/claims/?state=assigned").json()["results"][0]
    assert row == {
        "id": assigned.pk,
        "article": assigned.article_id,
        "text": assigned.text,
        "claimant": "The health minister",
        "claimant_name": "",
        "kind": "quantity",
        "priority": "low",
        "state": "assigned",
        "assignee": "sam_reviewer",
        "due_on": None,
        "verdict": "",
    }


@pytest.mark.parametrize(
    "query, field",
    [("state=lost", "state"), ("article=abc", "article"), ("verdict=maybe", "verdict")],
)
def test_a_filter_it_cannot_use_is_a_bad_request(reviewer, query, field):
    response = token_client(reviewer).get(f"{API}/claims/?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}: ")


def test_the_list_costs_the_same_queries_for_3_claims_as_for_20(reviewer, editor):
    client = token_client(reviewer)

    def queries_for(n: int) -> int:
        for _ in range(n):
            claim = make_claim()
            services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/claims/")
        assert response.status_code == 200
        assert response.json()["count"] == len(response.json()["results"])
        return len(captured.captured_queries)

    few = queries_for(3)
    many = queries_for(17)  # 20 in all
    # Token, desk groups, count, the page.
    assert few == many == 4


# --- Assignment ------------------------------------------------------------------------------


def test_an_editor_assigns_with_a_due_date_and_priority_and_unassigns(reviewer, editor):
    claim = make_claim(priority="low")
    client = token_client(editor)

    response = client.post(
        claim_url(claim, "assign"),
        {"assignee": "rita_reviewer", "due": "2026-12-24", "priority": "high"},
        format="json",
    )
    again = client.post(
        claim_url(claim, "assign"),
        {"assignee": "rita_reviewer", "due": "2026-12-24", "priority": "high"},
        format="json",
    )

    assert response.status_code == 200 and again.status_code == 200
    body = response.json()
    assert (body["state"], body["assignee"], body["due_on"], body["priority"]) == (
        "assigned",
        "rita_reviewer",
        "2026-12-24",
        "high",
    )
    assert AuditEntry.objects.filter(claim=claim, action="review_assigned").count() == 1

    taken_back = client.post(claim_url(claim, "unassign"))
    assert taken_back.status_code == 200
    assert (taken_back.json()["state"], taken_back.json()["assignee"]) == ("unassigned", None)


def test_a_reviewer_may_take_a_claim_but_not_give_one_away(reviewer, second_reviewer):
    claim = make_claim()
    client = token_client(reviewer)

    mine = client.post(claim_url(claim, "assign"), {"assignee": "rita_reviewer"}, format="json")
    theirs = client.post(claim_url(claim, "assign"), {"assignee": "sam_reviewer"}, format="json")

    assert mine.status_code == 200 and mine.json()["assignee"] == "rita_reviewer"
    assert theirs.status_code == 403
    assert theirs.json() == {"detail": "Only editors may assign claims to other people."}


def make_claim_url() -> str:
    return claim_url(make_claim(), "assign")


@pytest.mark.parametrize(
    "body, detail",
    [
        ({"assignee": "nobody_here"}, "No user is called 'nobody_here'."),
        ({"assignee": "rita_reviewer", "due": "next week"}, "due: "),
        ({"assignee": "rita_reviewer", "priority": "urgent"}, 'priority: "urgent" is not'),
        ({}, "assignee: This field is required."),
        ([], "Invalid data. Expected a dictionary"),
    ],
)
def test_assigning_with_input_it_cannot_use_is_a_bad_request(reviewer, editor, body, detail):
    response = token_client(editor).post(make_claim_url(), body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not Review.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(editor):
    response = token_client(editor).post(
        make_claim_url(), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


# --- Sources and verdicts --------------------------------------------------------------------


def test_a_reviewer_adds_a_source_once(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    client = token_client(reviewer)
    body = {
        "url": "https://stats.example.org/census",
        "title": "Census 2026",
        "quote": "The city had 400 evacuees.",
        "archived_url": "https://archive.example.org/census",
        "accessed_on": "2026-11-21",
    }

    first = client.post(claim_url(claim, "sources"), body, format="json")
    second = client.post(claim_url(claim, "sources"), body, format="json")

    assert first.status_code == 201 and second.status_code == 201
    assert first.json() == second.json() == {"id": Source.objects.get().pk}
    assert Source.objects.get().accessed_on == dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    "field, url, detail",
    [
        ("url", "javascript:alert(1)", "url: only http and https links are accepted"),
        ("url", "ftp://files.example.org/census", "url: only http and https links are accepted"),
        ("archived_url", "data:text/html,hi", "archived_url: only http and https links"),
    ],
)
def test_a_source_with_a_link_that_is_not_http_is_a_bad_request(reviewer, field, url, detail):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    body = {"url": "https://stats.example.org/", "title": "Census", "quote": "400 evacuees."}

    response = token_client(reviewer).post(
        claim_url(claim, "sources"), {**body, field: url}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not Source.objects.exists()


def test_a_source_on_someone_elses_claim_is_refused_with_whose_it_is(reviewer, second_reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    response = token_client(reviewer).post(
        claim_url(claim, "sources"),
        {"url": "https://stats.example.org/", "title": "Census", "quote": "400 evacuees."},
        format="json",
    )
    assert response.status_code == 403
    assert "assigned to sam_reviewer" in response.json()["detail"]


def test_a_verdict_citing_evidence_of_another_claim_is_a_bad_request(reviewer):
    claim = make_claim_with_evidence()
    other = make_claim_with_evidence()
    response = token_client(reviewer).post(
        claim_url(claim, "verdict"),
        {
            "verdict": "supported",
            "rationale": "It holds.",
            "evidence": [other.evidence.first().pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "is not evidence of claim" in response.json()["detail"]
    assert not Review.objects.exists()


# --- Return, publish, the two-person rule ----------------------------------------------------


def test_a_reviewer_may_not_publish(reviewer):
    claim = make_claim_with_evidence()
    submitted(claim, reviewer)
    response = token_client(reviewer).post(claim_url(claim, "publish"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only editors may publish verdicts."}
    assert Review.objects.get().state == Review.State.SUBMITTED


def test_an_editor_may_not_publish_their_own_verdict(editor):
    claim = make_claim_with_evidence()
    submitted(claim, editor)
    response = token_client(editor).post(claim_url(claim, "publish"))
    assert response.status_code == 403
    assert "another editor must approve" in response.json()["detail"]


def test_publishing_a_returned_verdict_is_a_conflict(reviewer, editor):
    claim = make_claim_with_evidence()
    submitted(claim, reviewer)
    returned = token_client(editor).post(
        claim_url(claim, "return"), {"note": "Cite the census."}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"

    response = token_client(second_editor()).post(claim_url(claim, "publish"))

    assert response.status_code == 409
    assert "was returned to its reviewer" in response.json()["detail"]


def test_publishing_a_claim_without_a_verdict_is_a_conflict(editor):
    response = token_client(editor).post(claim_url(make_claim(), "publish"))
    assert response.status_code == 409
    assert "has no verdict yet" in response.json()["detail"]


def test_acting_on_a_duplicate_points_to_the_claim_that_carries_the_verdict(editor):
    canonical = make_claim()
    duplicate = make_claim(canonical=canonical)
    response = token_client(editor).post(claim_url(duplicate, "publish"))
    assert response.status_code == 409
    assert f"act on claim {canonical.pk} instead" in response.json()["detail"]


def test_returning_needs_a_note(reviewer, editor):
    claim = make_claim_with_evidence()
    submitted(claim, reviewer)
    response = token_client(editor).post(claim_url(claim, "return"), {"note": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "note: This field may not be blank."


def test_unpublishing_needs_a_reason_and_takes_the_verdict_down(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_publish(review=submitted(claim, reviewer), editor=editor)
    client = token_client(editor)

    blank = client.post(claim_url(claim, "unpublish"), {}, format="json")
    done = client.post(claim_url(claim, "unpublish"), {"reason": "Wrong city."}, format="json")

    assert blank.status_code == 400 and blank.json()["detail"] == "reason: This field is required."
    assert done.status_code == 200 and done.json()["state"] == "returned"
    assert APIClient().get(f"{API}/verdicts/").json()["count"] == 0


def test_correcting_a_verdict_that_is_not_published_is_a_conflict(reviewer, editor):
    claim = make_claim_with_evidence()
    submitted(claim, reviewer)
    response = token_client(editor).post(
        claim_url(claim, "correct"), {"verdict": "supported", "reason": "Oops."}, format="json"
    )
    assert response.status_code == 409
    assert "is not published" in response.json()["detail"]


# --- Triage, notes, claimant -----------------------------------------------------------------


def test_a_dismissed_claim_leaves_the_default_states_until_an_editor_restores_it(reviewer, editor):
    claim = make_claim()
    client = token_client(reviewer)

    no_note = client.post(claim_url(claim, "dismiss"), {"reason": "other"}, format="json")
    dismissed = client.post(
        claim_url(claim, "dismiss"), {"reason": "opinion", "note": "A view."}, format="json"
    )
    refused = client.post(claim_url(claim, "restore"))

    assert no_note.status_code == 400 and "needs a note" in no_note.json()["detail"]
    assert dismissed.status_code == 200 and dismissed.json()["state"] == "dismissed"
    assert dismissed.json()["review"]["dismissed_reason"] == "opinion"
    assert client.get(f"{API}/claims/?state=unassigned").json()["count"] == 0
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only editors may restore dismissed claims."

    restored = token_client(editor).post(claim_url(claim, "restore"))
    assert restored.status_code == 200 and restored.json()["state"] == "unassigned"


def test_dismissing_a_published_verdict_is_a_conflict(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_publish(review=submitted(claim, reviewer), editor=editor)
    response = token_client(editor).post(
        claim_url(claim, "dismiss"), {"reason": "duplicate"}, format="json"
    )
    assert response.status_code == 409
    assert "unpublish it before dismissing it" in response.json()["detail"]


def test_notes_are_added_to_the_claims_thread(reviewer, editor):
    claim = make_claim()
    first = token_client(editor).post(claim_url(claim, "notes"), {"text": "Call the ministry."})
    reply = token_client(reviewer).post(claim_url(claim, "notes"), {"text": "Called: no answer."})
    empty = token_client(reviewer).post(claim_url(claim, "notes"), {"text": ""})

    assert first.status_code == reply.status_code == 201
    assert empty.status_code == 400
    notes = list(ClaimNote.objects.order_by("pk"))
    assert [first.json()["id"], reply.json()["id"]] == [n.pk for n in notes]
    history = token_client(reviewer).get(claim_url(claim)).json()["history"]
    assert [(h["by"], h["text"]) for h in history] == [
        ("eddie_editor", "Call the ministry."),
        ("rita_reviewer", "Called: no answer."),
    ]


def test_a_reviewer_corrects_the_claimant_beside_the_machines_value(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)

    response = token_client(reviewer).post(
        claim_url(claim, "claimant"), {"claimant": "Vladimir Putin", "cue": "announced"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["claimant"] == "The health minister"
    correction = body["claimant_correction"]
    assert (correction["claimant"], correction["cue"], correction["corrected_by"]) == (
        "Vladimir Putin",
        "announced",
        "rita_reviewer",
    )
    assert correction["machine_claimant"] == "The health minister"


def test_text_with_a_nul_character_is_a_bad_request_not_a_crash(reviewer):
    response = token_client(reviewer).post(
        claim_url(make_claim(), "notes"), {"text": "bad\x00byte"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("text: Null characters are not allowed")
