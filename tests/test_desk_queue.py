"""The desk's queue as a newsroom works it: the "needs action" default and its order, the
filters and sortable columns, bulk triage and assignment through the services, the editors'
workload page, a reviewer's landing page, and the queue's fit on a 1280x800 screen."""

from datetime import timedelta

import pytest
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factcheck.models import Article, Claim, DuplicateSuggestion
from reviews import services
from reviews.admin import QueueClaimAdmin
from reviews.models import AuditEntry, Review, ReviewTransition, Verdict
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_published_review,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"
WORKLOAD = "/admin/reviews/queueclaim/workload/"
LONG_CLAIM = (
    "The ministry said that 1,200 people were evacuated from the city on Monday, that a further "
    "3,400 were moved to shelters in the neighbouring districts over the following week, and "
    "that 15 helicopters and 40 buses had been used in the operation, the largest since 2011."
)


def listed(response) -> list[int]:
    """The claims on the page, in the order shown."""
    return [obj.pk for obj in response.context["cl"].result_list]


def flashed(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def post_action(client, action, claims, *, filters: str = "", **extra):
    data = {"action": action, "_selected_action": [c.pk for c in claims], **extra}
    return client.post(QUEUE + filters, data, follow=True)


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]  # None when the person may run no action
    return set(dict(form.fields["action"].choices)) - {""} if form else set()


def in_order(listing: list[int], claims) -> list[int]:
    """The given claims' ids in the order the listing shows them."""
    wanted = {claim.pk for claim in claims}
    return [pk for pk in listing if pk in wanted]


def column(name: str) -> int:
    """The admin's index for sorting by a column ("o" parameter): the checkbox comes first."""
    return QueueClaimAdmin.list_display.index(name) + 1


def submit_verdict(claim, reviewer, verdict=Verdict.SUPPORTED):
    return services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=verdict,
        rationale="The census agrees.",
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)[:1]),
    )


def return_verdict(claim, reviewer, editor):
    review = submit_verdict(claim, reviewer)
    return services.review_return(review=review, editor=editor, note="Cite the census table.")


@pytest.fixture
def today():
    return timezone.localdate()


# --- The default view: needs action, in the desk's order -------------------------------------


def test_the_default_view_lists_what_still_needs_action(as_reviewer, reviewer, editor):
    unassigned, assigned, returned, submitted = (make_claim_with_evidence() for _ in range(4))
    published, dismissed = make_claim_with_evidence(), make_claim()
    services.review_assign(claim=assigned, assignee=reviewer, assigned_by=reviewer)
    return_verdict(returned, reviewer, editor)
    submit_verdict(submitted, reviewer)
    make_published_review(claim=published, reviewer=reviewer, editor=editor)
    services.claim_dismiss(claim=dismissed, user=reviewer, reason="not_checkable")
    duplicate = make_claim(canonical=unassigned)
    opinion = make_claim(kind=Claim.Kind.OPINION)

    response = as_reviewer.get(QUEUE)

    assert set(listed(response)) == {unassigned.pk, assigned.pk, returned.pk, submitted.pk}
    assert response.context["title"] == "Needs action"
    assert "Select claim in queue to change" not in response.content.decode()
    everything = listed(as_reviewer.get(QUEUE, {"review_status": "all", "kind": "all"}))
    assert {published.pk, dismissed.pk, duplicate.pk, opinion.pk} <= set(everything)


def test_the_default_view_orders_by_priority_then_due_date_then_score(as_editor, editor, today):
    high_no_date = make_claim(priority="high", score=0.5)
    high_tomorrow = make_claim(priority="high", score=0.4)
    raised_to_high_today = make_claim(priority="low", score=0.3)
    medium_likely = make_claim(priority="medium", score=0.8)
    medium_unlikely = make_claim(priority="medium", score=0.3)
    low_likely = make_claim(priority="low", score=0.99)
    lowered_to_low = make_claim(priority="high", score=0.9)
    for claim, due_on, priority in [
        (high_tomorrow, today + timedelta(days=1), None),
        (raised_to_high_today, today, "high"),
        (lowered_to_low, None, "low"),
    ]:
        services.review_assign(
            claim=claim, assignee=editor, assigned_by=editor, due_on=due_on, priority=priority
        )

    # high before medium before low (not the alphabet's high, low, medium); within a priority
    # the nearest due date, no date last; then the likelier claim. An unassigned low-priority
    # claim waits under "Low priority"; one an editor assigned is work in hand.
    assert listed(as_editor.get(QUEUE)) == [
        raised_to_high_today.pk,
        high_tomorrow.pk,
        high_no_date.pk,
        medium_likely.pk,
        medium_unlikely.pk,
        lowered_to_low.pk,
    ]
    assert listed(as_editor.get(QUEUE, {"review_status": "low_priority"})) == [low_likely.pk]


# --- Filters ---------------------------------------------------------------------------------


def test_it_filters_by_review_status_including_returned_and_dismissed(
    as_reviewer, reviewer, editor
):
    returned, submitted, dismissed = (make_claim_with_evidence() for _ in range(3))
    return_verdict(returned, reviewer, editor)
    submit_verdict(submitted, reviewer)
    services.claim_dismiss(claim=dismissed, user=reviewer, reason="opinion")
    duplicate = make_claim(canonical=submitted)

    def status(value):
        return set(listed(as_reviewer.get(QUEUE, {"review_status": value})))

    assert status("returned") == {returned.pk}
    assert status("submitted") == {submitted.pk}
    assert status("open") == {returned.pk}
    assert status("dismissed") == {dismissed.pk}
    assert status("duplicate") == {duplicate.pk}
    assert status("unassigned") == set()  # the dismissed one is not waiting for anyone


def test_an_unknown_review_status_is_refused_not_ignored(as_reviewer):
    make_claim()
    response = as_reviewer.get(QUEUE, {"review_status": "decided"})
    assert response.status_code == 302
    assert "?e=1" in response["Location"]


def test_it_filters_by_priority_the_editors_over_the_machines(as_editor, editor):
    machine_high = make_claim(priority="high")
    editor_high = make_claim(priority="low")
    editor_low = make_claim(priority="high")
    services.review_assign(claim=editor_high, assignee=editor, assigned_by=editor, priority="high")
    services.review_assign(claim=editor_low, assignee=editor, assigned_by=editor, priority="low")

    assert set(listed(as_editor.get(QUEUE, {"priority": "high"}))) == {
        machine_high.pk,
        editor_high.pk,
    }
    assert set(listed(as_editor.get(QUEUE, {"priority": "low"}))) == {editor_low.pk}


def test_it_filters_by_due_date(as_editor, editor, reviewer, today):
    overdue, this_week, later, no_date = (make_claim_with_evidence() for _ in range(4))
    submitted_late = make_claim_with_evidence()
    for claim, due_on in [
        (overdue, today - timedelta(days=1)),
        (this_week, today + timedelta(days=3)),
        (later, today + timedelta(days=20)),
        (submitted_late, today - timedelta(days=2)),
    ]:
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=due_on)
    submit_verdict(submitted_late, reviewer)  # past its date, but no longer open work

    def due(value):
        return set(listed(as_editor.get(QUEUE, {"due": value})))

    assert due("overdue") == {overdue.pk}
    assert due("week") == {this_week.pk}
    assert due("none") == {no_date.pk}


def test_the_article_filter_lists_titles_and_never_reads_article_text(as_reviewer):
    first = make_claim(article=make_article(title="Budget night"))
    make_claim(article=make_article(title="Flood relief"))
    make_article(title="An article with no claims")

    with CaptureQueriesContext(connection) as ctx:
        response = as_reviewer.get(QUEUE)

    article_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "article"
    )
    titles = [title for _, title in article_filter.lookup_choices]
    assert titles == ["Budget night", "Flood relief"]
    assert not [q["sql"] for q in ctx if '"factcheck_article"."text"' in q["sql"]]
    assert listed(as_reviewer.get(QUEUE, {"article__id__exact": first.article_id})) == [first.pk]


def test_the_decided_filter_lists_what_a_person_submitted_or_published_lately(
    as_editor, editor, reviewer
):
    submitted, published, older = (make_claim_with_evidence() for _ in range(3))
    submit_verdict(submitted, reviewer)
    make_published_review(claim=published, reviewer=reviewer, editor=editor)
    submit_verdict(older, reviewer)
    ReviewTransition.objects.filter(review__claim=older).update(
        at=timezone.now() - timedelta(days=8)
    )

    def decided_by(user):
        params = {"decided_by": user.pk, "review_status": "all"}
        return set(listed(as_editor.get(QUEUE, params)))

    assert decided_by(reviewer) == {submitted.pk, published.pk}
    assert decided_by(editor) == {published.pk}


# --- Sorting ---------------------------------------------------------------------------------


def test_status_assignee_verdict_and_due_date_sort(
    as_editor, editor, reviewer, second_reviewer, today
):
    unassigned = make_claim_with_evidence()
    to_editor, to_rita, to_sam = (make_claim_with_evidence() for _ in range(3))
    services.review_assign(claim=to_sam, assignee=second_reviewer, assigned_by=editor, due_on=today)
    services.review_assign(
        claim=to_editor, assignee=editor, assigned_by=editor, due_on=today + timedelta(days=5)
    )
    submit_verdict(to_rita, reviewer, verdict=Verdict.UNSUPPORTED)
    submit_verdict(to_editor, editor, verdict=Verdict.MISATTRIBUTED)

    def order(by, claims):
        return in_order(listed(as_editor.get(QUEUE, {"review_status": "all", "o": by})), claims)

    assignee, verdict = column("assignee_name"), column("verdict_display")
    status, due = column("review_status"), column("due_display")
    by_name = [to_editor, to_rita, to_sam]  # eddie_editor, rita_reviewer, sam_reviewer
    assert order(f"{assignee}", by_name) == [c.pk for c in by_name]
    assert order(f"-{assignee}", by_name) == [c.pk for c in reversed(by_name)]
    by_verdict = [to_editor, to_rita]  # misattributed, unsupported
    assert order(f"{verdict}", by_verdict) == [c.pk for c in by_verdict]
    assert order(f"-{verdict}", by_verdict) == [c.pk for c in reversed(by_verdict)]
    by_status = [unassigned, to_sam, to_rita]  # unassigned, assigned, awaiting approval
    assert order(f"{status}", by_status) == [c.pk for c in by_status]
    assert order(f"-{status}", by_status) == [c.pk for c in reversed(by_status)]
    everything = [unassigned, to_editor, to_rita, to_sam]
    # Soonest first, no date last; reversed, the latest first.
    assert order(f"{due}", everything)[:2] == [to_sam.pk, to_editor.pk]
    assert order(f"-{due}", everything)[-2:] == [to_editor.pk, to_sam.pk]


# --- What a row shows ------------------------------------------------------------------------


def test_a_row_shows_a_short_claim_with_the_full_text_one_click_away(as_reviewer):
    article = make_article(text=f"Evacuation news.\n\n{LONG_CLAIM}")
    claim = make_claim(article=article, sentence=LONG_CLAIM)
    body = as_reviewer.get(QUEUE).content.decode()
    assert f'title="{LONG_CLAIM}"' in body
    assert f">{LONG_CLAIM}<" not in body  # the cell itself is cut short
    assert "operation, the largest since 2011" not in body.replace(f'"{LONG_CLAIM}"', "")
    assert f'href="{QUEUE}{claim.pk}/change/' in body


def test_the_queue_is_titled_as_people_say_it(as_reviewer):
    make_claim()
    assert as_reviewer.get(QUEUE).context["title"] == "Needs action"
    assert as_reviewer.get(QUEUE, {"review_status": "submitted"}).context["title"] == (
        "Awaiting approval"
    )
    my_work = as_reviewer.get(QUEUE, {"assignee": "me", "review_status": "open"})
    assert my_work.context["title"] == "My work"
    assert "<title>My work |" in my_work.content.decode()


# --- Bulk triage -----------------------------------------------------------------------------


def test_a_reviewer_dismisses_claims_in_bulk_and_an_editor_restores_them(client, reviewer, editor):
    headline, caption, kept = make_claim(), make_claim(), make_claim()
    client.force_login(reviewer)

    form_page = post_action(client, "dismiss_claims", [headline, caption])
    assert form_page.templates[0].name == "admin/reviews/queueclaim/bulk_action.html"
    assert not Review.objects.exists()

    done = post_action(
        client, "dismiss_claims", [headline, caption], reason="not_checkable", apply="Dismiss"
    )
    assert (message_levels.SUCCESS, "2 claims dismissed (not checkable).") in flashed(done)
    entries = AuditEntry.objects.filter(action="claim_dismissed")
    assert {(e.claim_id, e.actor, e.details["reason"]) for e in entries} == {
        (headline.pk, reviewer, "not_checkable"),
        (caption.pk, reviewer, "not_checkable"),
    }
    assert listed(client.get(QUEUE)) == [kept.pk]

    client.force_login(editor)
    restored = post_action(
        client, "restore_claims", [headline, caption], filters="?review_status=dismissed"
    )
    assert (message_levels.SUCCESS, "2 claims restored to the queue.") in flashed(restored)
    assert set(listed(client.get(QUEUE))) == {headline.pk, caption.pk, kept.pk}
    assert AuditEntry.objects.filter(action="claim_restored", actor=editor).count() == 2


def test_dismissing_as_other_needs_a_note(as_reviewer):
    claim = make_claim()
    refused = post_action(as_reviewer, "dismiss_claims", [claim], reason="other", apply="Dismiss")
    assert "dismissing for &quot;Other&quot; needs a note" in refused.content.decode()
    assert not Review.objects.exists()

    post_action(
        as_reviewer,
        "dismiss_claims",
        [claim],
        reason="other",
        note="A photo caption.",
        apply="Dismiss",
    )
    review = Review.objects.get(claim=claim)
    assert (review.dismissed_reason, review.dismissed_note) == ("other", "A photo caption.")


def test_a_reviewer_cannot_dismiss_a_claim_assigned_to_someone_else(as_reviewer, second_reviewer):
    theirs = make_claim()
    services.review_assign(claim=theirs, assignee=second_reviewer, assigned_by=second_reviewer)
    response = post_action(
        as_reviewer, "dismiss_claims", [theirs], reason="opinion", apply="Dismiss"
    )
    assert flashed(response) == [
        (
            message_levels.WARNING,
            f"Claim {theirs.pk} is assigned to sam_reviewer; only they or an editor may "
            "dismiss it.",
        )
    ]
    assert not Review.objects.get(claim=theirs).is_dismissed


# --- Bulk assignment -------------------------------------------------------------------------


def test_an_editor_bulk_assigns_with_a_due_date_and_a_priority(as_editor, reviewer, today):
    claims = [make_claim(priority="medium") for _ in range(3)]
    due_on = today + timedelta(days=2)
    details = {"assignee": reviewer.pk, "due_on": due_on.isoformat(), "priority": "high"}

    response = post_action(as_editor, "assign_to", claims, apply="Assign", **details)

    due_text = f"{due_on.day} {due_on:%B %Y}"
    expected = f"3 claims assigned to rita_reviewer, due {due_text}, high priority."
    assert flashed(response) == [(message_levels.SUCCESS, expected)]
    reviews = Review.objects.filter(claim__in=claims)
    assert {(r.assignee, r.due_on, r.priority) for r in reviews} == {(reviewer, due_on, "high")}
    assert AuditEntry.objects.filter(action="review_assigned").count() == 3

    again = post_action(as_editor, "assign_to", claims, apply="Assign", **details)
    assert flashed(again) == [
        (
            message_levels.INFO,
            f"3 claims were already assigned to rita_reviewer, due {due_text}, high priority.",
        )
    ]
    assert AuditEntry.objects.filter(action="review_assigned").count() == 3


def test_the_assign_form_refuses_a_due_date_that_has_passed(as_editor, reviewer, today):
    claim = make_claim()
    yesterday = (today - timedelta(days=1)).isoformat()
    response = post_action(
        as_editor, "assign_to", [claim], assignee=reviewer.pk, due_on=yesterday, apply="Assign"
    )
    assert "That date has passed" in response.content.decode()
    assert not Review.objects.exists()


def test_an_editor_unassigns_claims(as_editor, editor, reviewer):
    assigned, unassigned = make_claim(), make_claim()
    services.review_assign(claim=assigned, assignee=reviewer, assigned_by=editor)

    response = post_action(as_editor, "unassign_claims", [assigned, unassigned])

    assert flashed(response) == [
        (message_levels.SUCCESS, "1 claim unassigned."),
        (message_levels.INFO, "1 claim was not assigned."),
    ]
    assert Review.objects.get(claim=assigned).assignee is None
    assert AuditEntry.objects.filter(action="review_unassigned", claim=assigned).count() == 1
    assert assigned.pk in listed(as_editor.get(QUEUE, {"review_status": "unassigned"}))


# --- No success for zero items ---------------------------------------------------------------


def test_no_success_message_when_nothing_was_done(as_editor, reviewer):
    claim = make_claim()

    restored = post_action(as_editor, "restore_claims", [claim])
    assert flashed(restored) == [(message_levels.INFO, "1 claim was not dismissed.")]

    published = post_action(as_editor, "publish_verdicts", [claim])
    assert flashed(published) == [
        (
            message_levels.WARNING,
            f"Claim {claim.pk} has no verdict yet; a reviewer must submit one first.",
        )
    ]

    services.claim_dismiss(claim=claim, user=reviewer, reason="opinion")
    out_of_view = post_action(as_editor, "assign_to_me", [claim])  # the default view hides it
    assert flashed(out_of_view) == [
        (
            message_levels.WARNING,
            "None of the selected claims is in this view of the queue; nothing was changed.",
        )
    ]


def test_one_claim_reads_in_the_singular(as_reviewer):
    response = post_action(as_reviewer, "assign_to_me", [make_claim()])
    assert flashed(response) == [(message_levels.SUCCESS, "1 claim assigned to rita_reviewer.")]


# --- Reviewers cannot run editors' actions ---------------------------------------------------


@pytest.mark.parametrize(
    "action, extra",
    [
        ("assign_to", {"apply": "Assign", "priority": "high"}),
        ("unassign_claims", {}),
        ("restore_claims", {}),
        ("publish_verdicts", {}),
    ],
)
def test_a_reviewer_cannot_run_an_editors_action_by_forging_the_post(
    as_reviewer, reviewer, second_reviewer, action, extra
):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    submitted = make_claim_with_evidence()
    submit_verdict(submitted, second_reviewer)
    dismissed = make_claim()
    services.claim_dismiss(claim=dismissed, user=second_reviewer, reason="opinion")
    before = AuditEntry.objects.count()

    response = post_action(
        as_reviewer,
        action,
        [claim, submitted, dismissed],
        filters="?review_status=all",
        assignee=reviewer.pk,
        **extra,
    )

    assert response.status_code == 200
    assert AuditEntry.objects.count() == before
    assert Review.objects.get(claim=claim).assignee == second_reviewer
    assert Review.objects.get(claim=submitted).state == Review.State.SUBMITTED
    assert Review.objects.get(claim=dismissed).is_dismissed


def test_only_editors_may_requeue_failed_articles(client, reviewer, editor):
    failed = make_article(status=Article.Status.FAILED, error_message="spaCy ran out of memory")
    changelist = "/admin/factcheck/article/"
    forged = {"action": "requeue_failed", "_selected_action": [failed.pk]}

    client.force_login(reviewer)
    assert "requeue_failed" not in offered_actions(client.get(changelist))
    client.post(changelist, forged, follow=True)
    failed.refresh_from_db()
    assert failed.status == Article.Status.FAILED
    assert not AuditEntry.objects.filter(action="article_requeued").exists()

    client.force_login(editor)
    assert "requeue_failed" in offered_actions(client.get(changelist))
    response = client.post(changelist, forged, follow=True)
    assert (message_levels.SUCCESS, "1 failed article queued again.") in flashed(response)
    failed.refresh_from_db()
    assert failed.status == Article.Status.QUEUED


def test_requeueing_articles_that_have_not_failed_is_not_a_success(client, editor):
    ready = make_article(status=Article.Status.READY)
    client.force_login(editor)
    response = client.post(
        "/admin/factcheck/article/",
        {"action": "requeue_failed", "_selected_action": [ready.pk]},
        follow=True,
    )
    assert [level for level, _ in flashed(response)] == [message_levels.WARNING]


def test_only_editors_may_decide_duplicate_suggestions(client, reviewer, editor):
    claim, candidate = make_claim(), make_claim()
    suggestion = DuplicateSuggestion.objects.create(
        claim=claim, candidate=candidate, similarity=0.93
    )
    changelist = "/admin/factcheck/duplicatesuggestion/"
    forged = {"action": "confirm", "_selected_action": [suggestion.pk]}

    client.force_login(reviewer)
    assert not {"confirm", "reject"} & offered_actions(client.get(changelist))
    client.post(changelist, forged, follow=True)
    suggestion.refresh_from_db()
    assert suggestion.status == DuplicateSuggestion.Status.SUGGESTED
    claim.refresh_from_db()
    assert claim.canonical_id is None

    client.force_login(editor)
    assert {"confirm", "reject"} <= offered_actions(client.get(changelist))
    response = client.post(changelist, forged, follow=True)
    assert (message_levels.SUCCESS, "1 suggestion confirmed.") in flashed(response)
    claim.refresh_from_db()
    assert claim.canonical_id == candidate.pk


# --- The workload page -----------------------------------------------------------------------


def make_workload(*, reviewer, second_reviewer, editor, today):
    """rita: three open claims (one overdue, one returned), one awaiting approval, one she
    submitted that an editor published; a dismissed claim of hers counts nowhere. sam: one
    open claim, due today (not overdue)."""
    open_overdue, open_later, returned, awaiting, published, dismissed, sams = (
        make_claim_with_evidence() for _ in range(7)
    )
    for claim, due_on in [
        (open_overdue, today - timedelta(days=1)),
        (open_later, today + timedelta(days=4)),
        (dismissed, today - timedelta(days=3)),
    ]:
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=due_on)
    services.claim_dismiss(claim=dismissed, user=editor, reason="out_of_scope")
    return_verdict(returned, reviewer, editor)
    submit_verdict(awaiting, reviewer)
    make_published_review(claim=published, reviewer=reviewer, editor=editor)
    services.review_assign(claim=sams, assignee=second_reviewer, assigned_by=editor, due_on=today)


def test_the_workload_page_counts_each_desk_members_work(
    as_editor, reviewer, second_reviewer, editor, outsider, today
):
    make_workload(reviewer=reviewer, second_reviewer=second_reviewer, editor=editor, today=today)

    response = as_editor.get(WORKLOAD)

    assert response.status_code == 200
    numbers = {
        row.username: (row.assigned, row.overdue, row.awaiting_approval, row.decided_recently)
        for row, _ in response.context["rows"]
    }
    assert numbers == {
        "eddie_editor": (0, 0, 0, 1),  # published rita's verdict
        "rita_reviewer": (3, 1, 1, 3),  # submitted: awaiting, published, returned (then sent back)
        "sam_reviewer": (1, 0, 0, 0),
    }
    assert "otto_outsider" not in response.content.decode()


def test_each_workload_number_opens_the_claims_it_counts(
    as_editor, reviewer, second_reviewer, editor, today
):
    make_workload(reviewer=reviewer, second_reviewer=second_reviewer, editor=editor, today=today)
    rows = as_editor.get(WORKLOAD).context["rows"]
    checked = 0
    for row, links in rows:
        for name, url in links.items():
            shown = as_editor.get(url)
            assert shown.status_code == 200, url
            assert len(listed(shown)) == getattr(row, name), (row.username, name, url)
            checked += 1
    assert checked == 12


def test_the_queue_links_to_the_workload_page_for_editors_only(as_editor, client, reviewer):
    assert f'href="{WORKLOAD}"' in as_editor.get(QUEUE).content.decode()
    client.force_login(reviewer)
    assert f'href="{WORKLOAD}"' not in client.get(QUEUE).content.decode()


def test_only_editors_open_the_workload_page(client, reviewer, outsider):
    assert "/admin/login/" in client.get(WORKLOAD)["Location"]
    for user in (reviewer, outsider):
        client.force_login(user)
        assert client.get(WORKLOAD).status_code == 403


def test_the_workload_page_runs_the_same_queries_for_few_or_many_claims(
    as_editor, reviewer, second_reviewer, editor, today
):
    def workload_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_editor.get(WORKLOAD).status_code == 200
        return len(ctx)

    make_workload(reviewer=reviewer, second_reviewer=second_reviewer, editor=editor, today=today)
    few = workload_queries()
    for _ in range(6):
        make_workload(
            reviewer=reviewer, second_reviewer=second_reviewer, editor=editor, today=today
        )
    # session, user, desk groups, permissions (user, group), the workload (one query),
    # the worker heartbeat for the banner.
    assert few == workload_queries() == 7


# --- Where people land -----------------------------------------------------------------------


def test_a_reviewer_lands_on_my_work_after_logging_in(client, reviewer, editor, today):
    later, sooner, no_date, returned = (make_claim_with_evidence() for _ in range(4))
    someone_elses, awaiting = make_claim(), make_claim_with_evidence()
    for claim, due_on in [
        (later, today + timedelta(days=9)),
        (sooner, today + timedelta(days=1)),
        (no_date, None),
    ]:
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=due_on)
    return_verdict(returned, reviewer, editor)
    services.review_assign(claim=someone_elses, assignee=editor, assigned_by=editor)
    submit_verdict(awaiting, reviewer)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": reviewer.username, "password": "pw-rita_reviewer"},
        follow=True,
    )

    final_url, _ = response.redirect_chain[-1]
    assert final_url.startswith(QUEUE)
    assert response.context["title"] == "My work"
    # By due date: the nearest first, no date last (then priority, score, age).
    assert listed(response) == [sooner.pk, later.pk, no_date.pk, returned.pk]


def test_an_editor_lands_on_the_index_with_the_latest_desk_activity(client, editor, reviewer):
    claim = make_claim()
    client.force_login(reviewer)
    post_action(client, "assign_to_me", [claim])

    client.force_login(editor)
    response = client.get("/admin/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Latest desk activity" in body
    assert f">claim {claim.pk}</a>" in body and "Review assigned" in body
    assert "Recent actions" not in body and "None available" not in body
    assert f'href="{WORKLOAD}"' in body


def test_staff_outside_the_desk_see_no_desk_activity(client, outsider):
    client.force_login(outsider)
    body = client.get("/admin/").content.decode()
    assert "Latest desk activity" not in body
    assert "Recent actions" not in body


# --- Query counts ----------------------------------------------------------------------------


def test_the_queue_runs_the_same_queries_for_5_or_50_claims(as_reviewer, reviewer, editor, today):
    def add_claims(n):
        for i in range(n):
            claim = make_claim_with_evidence(priority=["high", "medium", "low"][i % 3])
            if i % 5 == 1:
                services.review_assign(
                    claim=claim, assignee=reviewer, assigned_by=editor, due_on=today
                )
            if i % 5 == 2:
                submit_verdict(claim, reviewer)
            if i % 5 == 3:
                services.claim_dismiss(claim=claim, user=reviewer, reason="opinion")
            if i % 5 == 4:
                make_published_review(claim=claim, reviewer=reviewer, editor=editor)
                make_claim(canonical=claim)

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_reviewer.get(QUEUE, params).status_code == 200
        return len(ctx)

    views = [{}, {"assignee": "me", "review_status": "open"}, {"review_status": "all", "o": "3"}]
    add_claims(5)
    few = [queries(params) for params in views]
    add_claims(45)
    assert [queries(params) for params in views] == few


# --- The queue on a 1280x800 screen ----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_queue_fits_a_1280_by_800_screen_with_ten_rows_or_more(
    live_server, reviewer, editor, today
):
    from selenium.webdriver.common.by import By

    from tests.browser import chromium

    long_title = "Russia's military build-up in Syria, explained in ten charts and one long map"
    for i in range(30):
        article = make_article(
            title=f"{long_title} ({i})", text=f"Evacuation news.\n\n{LONG_CLAIM}"
        )
        claim = make_claim_with_evidence(article=article, sentence=LONG_CLAIM, priority="high")
        if i % 3 == 0:
            services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=today)
        if i % 3 == 1:
            submit_verdict(claim, reviewer, verdict=Verdict.MISATTRIBUTED)

    for driver in chromium():
        driver.set_window_size(1280, 800)
        driver.get(live_server.url + "/admin/login/")
        driver.find_element(By.NAME, "username").send_keys(editor.username)
        driver.find_element(By.NAME, "password").send_keys("pw-" + editor.username)
        driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        driver.find_element(By.ID, "user-tools")
        driver.get(live_server.url + QUEUE)
        driver.find_element(By.ID, "result_list")

        layout = driver.execute_script(
            """
            const rows = [...document.querySelectorAll('#result_list tbody tr')];
            return {
              viewportWidth: document.documentElement.clientWidth,
              pageWidth: document.documentElement.scrollWidth,
              viewportHeight: window.innerHeight,
              rows: rows.length,
              rowsInView: rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length,
              tallestRow: Math.max(...rows.map(r => r.getBoundingClientRect().height)),
              claimTitle: rows[0].querySelector('.field-claim_text span').title,
            };
            """
        )
        assert layout["rows"] == 30
        assert layout["pageWidth"] <= layout["viewportWidth"], layout
        assert layout["rowsInView"] >= 10, layout
        assert layout["tallestRow"] < 40, layout  # one line of text each
        assert layout["claimTitle"] == LONG_CLAIM
