"""The review queue in the admin: who reaches it, what it lists, and that it uses services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.models import Claim
from reviews import services
from reviews.models import AuditEntry, Review, Verdict
from tests.factories import (
    make_article,
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


# --- Who reaches the queue -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_outside_the_desk_groups_are_refused(client, outsider):
    claim = make_claim()
    client.force_login(outsider)
    assert client.get(QUEUE).status_code == 403
    assert client.get(claim_url(claim)).status_code == 403
    assert "claims in queue" not in client.get("/admin/").content.decode().lower()


def test_reviewers_and_editors_reach_the_queue(client, reviewer, editor):
    for user in (reviewer, editor):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 200
    # A reviewer's front page is their own work (tests/test_desk_queue.py); an editor's is
    # the admin index, which lists the queue.
    assert "claims in queue" in client.get("/admin/").content.decode().lower()


def test_claims_cannot_be_added_or_deleted_from_the_queue(as_editor):
    claim = make_claim()
    assert as_editor.get(f"{QUEUE}add/").status_code == 403
    assert as_editor.get(f"{QUEUE}{claim.pk}/delete/").status_code == 403


# --- The list --------------------------------------------------------------------------------


def test_opinions_stay_out_of_the_queue_unless_the_kind_filter_asks(as_reviewer):
    fact = make_claim()
    opinion = make_claim(article=fact.article, sentence="Talks continue.", kind="opinion")
    assert listed(as_reviewer.get(QUEUE)) == {fact.pk}
    assert listed(as_reviewer.get(QUEUE, {"kind": "opinion"})) == {opinion.pk}
    assert listed(as_reviewer.get(QUEUE, {"kind": "all"})) == {fact.pk, opinion.pk}


def test_the_queue_shows_filter_counts_on_request(as_reviewer):
    make_claim()
    assert as_reviewer.get(QUEUE, {"_facets": "True"}).status_code == 200


def test_it_filters_by_review_status_including_unassigned(as_reviewer, reviewer, editor):
    unassigned, assigned, submitted, published = (make_claim_with_evidence() for _ in range(4))
    services.review_assign(claim=assigned, assignee=reviewer, assigned_by=reviewer)
    services.review_submit(
        claim=submitted, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Census."
    )
    make_published_review(claim=published, reviewer=reviewer, editor=editor)
    expected = {
        "unassigned": {unassigned.pk},
        "assigned": {assigned.pk},
        "submitted": {submitted.pk},
        "published": {published.pk},
        "all": {unassigned.pk, assigned.pk, submitted.pk, published.pk},
    }
    for status, pks in expected.items():
        assert listed(as_reviewer.get(QUEUE, {"review_status": status})) == pks, status


def test_it_filters_by_assignee_article_and_evidence_status(as_reviewer, reviewer, editor):
    mine = make_claim()
    theirs = make_claim(evidence_status=Claim.EvidenceStatus.NONE_FOUND)
    services.review_assign(claim=mine, assignee=reviewer, assigned_by=reviewer)
    services.review_assign(claim=theirs, assignee=editor, assigned_by=editor)

    assert listed(as_reviewer.get(QUEUE, {"assignee": "me"})) == {mine.pk}
    assert listed(as_reviewer.get(QUEUE, {"assignee": str(editor.pk)})) == {theirs.pk}
    assert listed(as_reviewer.get(QUEUE, {"article__id__exact": mine.article_id})) == {mine.pk}
    assert listed(as_reviewer.get(QUEUE, {"evidence_status__exact": "none_found"})) == {theirs.pk}


def test_it_searches_claim_text_claimant_and_article_title(as_reviewer):
    article = make_article(
        title="Budget night",
        text="The treasurer said that spending rose by 4 percent. Ministers cheered.",
    )
    budget = make_claim(
        article=article, sentence="spending rose by 4 percent.", claimant="Jo Treasurer"
    )
    other = make_claim()
    assert listed(as_reviewer.get(QUEUE, {"q": "spending rose"})) == {budget.pk}
    assert listed(as_reviewer.get(QUEUE, {"q": "Treasurer"})) == {budget.pk}
    assert listed(as_reviewer.get(QUEUE, {"q": "budget night"})) == {budget.pk}
    assert listed(as_reviewer.get(QUEUE, {"q": "evacuated"})) == {other.pk}


def queue_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params or {"review_status": "all"})
    assert response.status_code == 200
    return len(ctx)


def test_the_queue_runs_the_same_queries_for_few_or_many_claims(as_reviewer, reviewer, editor):
    def add_claims(n):
        for i in range(n):
            claim = make_claim_with_evidence()
            if i % 3 == 1:
                services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
            if i % 3 == 2:
                make_published_review(claim=claim, reviewer=reviewer, editor=editor)
                make_claim(canonical=claim)  # a duplicate shows the canonical verdict

    add_claims(3)
    # 1 session, 2 user, 3 the user's desk groups, 4-5 user and group permissions,
    # 6 articles (ids and titles) for the article filter, 7 desk users for the assignee
    # filter, 8 COUNT of the filtered claims, 9 the page of claims with article, review,
    # assignee and canonical review joined in, 10 the newest worker heartbeat (the banner).
    with CaptureQueriesContext(connection) as ctx:
        response = as_reviewer.get(QUEUE, {"review_status": "all"})
    assert len(ctx) == 10, [q["sql"] for q in ctx.captured_queries]
    assert "Duplicate of claim" in response.content.decode()

    add_claims(9)
    assert queue_queries(as_reviewer) == 10


# --- Actions ---------------------------------------------------------------------------------


def post_action(client, action, claims, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in claims], **extra}
    return client.post(QUEUE, data, follow=True)


def test_assign_to_me_assigns_through_the_service(as_reviewer, reviewer):
    claims = [make_claim(), make_claim()]
    response = post_action(as_reviewer, "assign_to_me", claims)
    assert response.status_code == 200
    assert "2 claims assigned to rita_reviewer." in response.content.decode()
    for claim in claims:
        assert Review.objects.get(claim=claim).assignee == reviewer
        assert AuditEntry.objects.filter(claim=claim, action="review_assigned").count() == 1


def test_assign_to_me_leaves_claims_that_are_someone_elses(as_reviewer, reviewer, second_reviewer):
    taken = make_claim()
    services.review_assign(claim=taken, assignee=second_reviewer, assigned_by=second_reviewer)
    response = post_action(as_reviewer, "assign_to_me", [taken])
    body = response.content.decode()
    assert f"Claim {taken.pk} is already assigned to sam_reviewer; ask an editor" in body
    assert "assigned to rita_reviewer" not in body  # no "0 claims assigned" success
    assert Review.objects.get(claim=taken).assignee == second_reviewer


def test_reviewers_are_not_offered_the_editor_actions(as_reviewer):
    make_claim()
    actions = dict(as_reviewer.get(QUEUE).context["action_form"].fields["action"].choices)
    assert {"assign_to_me", "dismiss_claims"} <= set(actions)
    editor_only = {"assign_to", "unassign_claims", "restore_claims", "publish_verdicts"}
    assert not (editor_only | {"delete_selected"}) & set(actions)


def test_editors_are_offered_every_queue_action(as_editor):
    make_claim()
    actions = dict(as_editor.get(QUEUE).context["action_form"].fields["action"].choices)
    assert set(actions) - {""} == {
        "assign_to_me",
        "assign_to",
        "unassign_claims",
        "dismiss_claims",
        "restore_claims",
        "publish_verdicts",
    }


def test_an_editor_assigns_claims_to_a_reviewer_in_two_steps(as_editor, reviewer):
    claims = [make_claim(), make_claim()]
    first = post_action(as_editor, "assign_to", claims)
    assert first.templates[0].name == "admin/reviews/queueclaim/bulk_action.html"
    assert not Review.objects.exists()

    second = post_action(as_editor, "assign_to", claims, assignee=reviewer.pk, apply="Assign")
    assert "2 claims assigned to rita_reviewer." in second.content.decode()
    assert {r.assignee for r in Review.objects.all()} == {reviewer}


def test_an_editor_publishes_verdicts_from_the_queue(as_editor, reviewer):
    submitted, unsubmitted = make_claim_with_evidence(), make_claim()
    services.review_submit(
        claim=submitted,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="No source.",
        evidence_ids=list(submitted.evidence.values_list("pk", flat=True)[:1]),
    )
    response = post_action(as_editor, "publish_verdicts", [submitted, unsubmitted])
    body = response.content.decode()
    assert "1 verdict published." in body
    assert f"Claim {unsubmitted.pk} has no verdict yet; a reviewer must submit one first." in body
    assert Review.objects.get(claim=submitted).state == Review.State.PUBLISHED
    assert AuditEntry.objects.filter(claim=submitted, action="review_published").count() == 1


def test_publishing_names_the_services_reason_for_each_refusal(as_editor, editor, reviewer):
    uncited = make_claim()
    services.review_submit(
        claim=uncited, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Census."
    )
    own = make_claim_with_evidence()
    services.review_submit(
        claim=own,
        reviewer=editor,
        verdict=Verdict.SUPPORTED,
        rationale="Census.",
        evidence_ids=list(own.evidence.values_list("pk", flat=True)),
    )
    body = post_action(as_editor, "publish_verdicts", [uncited, own]).content.decode()
    assert f"The verdict on claim {uncited.pk} cites nothing" in body
    assert f"Claim {own.pk}: You submitted this verdict yourself" in body
    assert "published." not in body  # no "0 verdicts published." success
    assert not Review.objects.filter(state=Review.State.PUBLISHED).exists()


def test_a_reviewer_cannot_publish_by_posting_the_action(as_reviewer, second_reviewer):
    claim = make_claim_with_evidence()
    services.review_submit(
        claim=claim,
        reviewer=second_reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="Yes.",
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)),
    )
    post_action(as_reviewer, "publish_verdicts", [claim])
    assert Review.objects.get(claim=claim).state == Review.State.SUBMITTED
    assert not AuditEntry.objects.filter(action="review_published").exists()
