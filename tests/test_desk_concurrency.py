"""Two people acting on one claim at once, on PostgreSQL: no update is lost.

Every service locks the claim's row (SELECT ... FOR UPDATE) before it reads the review. Here
two threads, each with its own connection, open their transactions and then wait for each
other right before taking that lock, so both really ask for it at the same moment; the one
that gets it second must see what the first committed. Whichever wins, the final state, the
published versions and the audit trail must agree.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connections

from reviews import services
from reviews.models import AuditEntry, ClaimNote, Review, Source, Verdict
from tests.conftest import make_staff_user, require_postgresql
from tests.factories import make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql():
    require_postgresql("row locks (SELECT ... FOR UPDATE)")


@pytest.fixture
def second_editor(db) -> User:
    return make_staff_user("erin_editor", "Editor")


@pytest.fixture
def at_once(monkeypatch):
    """Run two desk actions in two threads that reach the claim's lock together.

    The barrier sits inside the service's transaction, just before _lock_claim, so neither
    thread can finish before the other has started. Returns each action's result, or the
    exception it raised.
    """

    def run(*actions):
        barrier = threading.Barrier(len(actions))
        lock_claim = services._lock_claim

        def lock_when_both_are_ready(claim):
            barrier.wait(timeout=20)
            return lock_claim(claim)

        monkeypatch.setattr(services, "_lock_claim", lock_when_both_are_ready)
        outcomes: list = [None] * len(actions)

        def attempt(index, action):
            try:
                outcomes[index] = action()
            except Exception as exc:  # the test asserts on each refusal
                outcomes[index] = exc
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=attempt, args=(i, action)) for i, action in enumerate(actions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a thread is stuck on the lock"
        monkeypatch.undo()
        return outcomes

    return run


def fresh(obj):
    """The object re-read on the calling thread's own connection."""
    return type(obj).objects.get(pk=obj.pk)


def actions(claim) -> list[str]:
    return list(
        AuditEntry.objects.filter(claim=claim).order_by("id").values_list("action", flat=True)
    )


def submit(claim, reviewer, verdict=Verdict.UNSUPPORTED, rationale="The agency says 800."):
    return services.review_submit(
        claim=fresh(claim),
        reviewer=fresh(reviewer),
        verdict=verdict,
        rationale=rationale,
        evidence_ids=[claim.evidence.order_by("rank").first().pk],
    )


def published(claim, reviewer, editor) -> Review:
    return services.review_publish(review=submit(claim, reviewer), editor=editor)


def test_two_editors_assigning_a_new_claim_leave_one_review_and_a_consistent_trail(
    at_once, reviewer, second_reviewer, editor, second_editor
):
    claim = make_claim()
    outcomes = at_once(
        lambda: services.review_assign(
            claim=fresh(claim), assignee=fresh(reviewer), assigned_by=fresh(editor)
        ),
        lambda: services.review_assign(
            claim=fresh(claim), assignee=fresh(second_reviewer), assigned_by=fresh(second_editor)
        ),
    )
    assert all(isinstance(outcome, Review) for outcome in outcomes), outcomes
    review = Review.objects.get(claim=claim)
    first, second = AuditEntry.objects.filter(claim=claim).order_by("id")
    assert first.details["previous_assignee"] is None
    # The second editor saw the first's assignment: it is recorded as what they replaced.
    assert second.details["previous_assignee"] == first.details["assignee"]
    assert review.assignee.username == second.details["assignee"]


def test_two_reviewers_submitting_on_an_unassigned_claim_keep_the_first(
    at_once, reviewer, second_reviewer
):
    claim = make_claim_with_evidence()
    rita, sam = at_once(
        lambda: submit(claim, reviewer, Verdict.SUPPORTED, "Rita's reading."),
        lambda: submit(claim, second_reviewer, Verdict.UNSUPPORTED, "Sam's reading."),
    )
    winner, loser = (reviewer, sam) if isinstance(rita, Review) else (second_reviewer, rita)
    assert isinstance(loser, services.ReviewStateError), loser
    assert f"{winner.username} submitted a verdict on claim {claim.pk} first" in str(loser)
    review = Review.objects.get(claim=claim)
    assert (review.state, review.reviewer, review.assignee) == ("submitted", winner, winner)
    assert review.rationale == ("Rita's reading." if winner == reviewer else "Sam's reading.")
    assert actions(claim) == ["verdict_submitted"]
    assert review.transitions.count() == 1


def test_a_revision_and_an_editors_return_at_once_keep_both(at_once, reviewer, editor):
    claim = make_claim_with_evidence()
    submit(claim, reviewer)
    revision, send_back = at_once(
        lambda: submit(claim, reviewer, rationale="Revised: the agency says 800."),
        lambda: services.review_return(
            review=Review.objects.get(claim=claim), editor=fresh(editor), note="Cite the law."
        ),
    )
    assert isinstance(revision, Review) and isinstance(send_back, Review), (revision, send_back)
    review = Review.objects.get(claim=claim)
    assert review.rationale == "Revised: the agency says 800."
    trail = actions(claim)
    if trail == ["verdict_submitted", "verdict_revised", "review_returned"]:
        assert review.state == Review.State.RETURNED  # returned with the revision in it
    else:
        assert trail == ["verdict_submitted", "review_returned", "verdict_resubmitted"]
        assert review.state == Review.State.SUBMITTED  # the revision answers the return
    assert review.transitions.filter(to_state="returned", comment="Cite the law.").count() == 1
    assert review.transitions.last().to_state == review.state


def test_two_editors_publishing_at_once_make_one_version(at_once, reviewer, editor, second_editor):
    claim = make_claim_with_evidence()
    submit(claim, reviewer)
    outcomes = at_once(
        *(
            lambda who=who: services.review_publish(
                review=Review.objects.get(claim=claim), editor=fresh(who)
            )
            for who in (editor, second_editor)
        )
    )
    assert all(isinstance(outcome, Review) for outcome in outcomes), outcomes
    review = Review.objects.get(claim=claim)
    assert review.state == Review.State.PUBLISHED
    version = review.versions.get()
    assert (version.number, version.published_by) == (1, review.published_by)
    assert actions(claim) == ["verdict_submitted", "review_published"]
    assert review.transitions.filter(to_state="published").count() == 1


def test_two_editors_correcting_at_once_keep_both_corrections(
    at_once, reviewer, editor, second_editor
):
    claim = make_claim_with_evidence()
    published(claim, reviewer, editor)
    outcomes = at_once(
        lambda: services.review_correct(
            review=Review.objects.get(claim=claim),
            editor=fresh(editor),
            reason="The agency revised its count.",
            verdict=Verdict.SUPPORTED,
        ),
        lambda: services.review_correct(
            review=Review.objects.get(claim=claim),
            editor=fresh(second_editor),
            reason="Clearer wording.",
            rationale="The agency's count is the only one.",
        ),
    )
    assert all(isinstance(outcome, Review) for outcome in outcomes), outcomes
    review = Review.objects.get(claim=claim)
    # Each editor changed one thing; the later correction kept the earlier one's change.
    assert (review.verdict, review.rationale) == (
        "supported",
        "The agency's count is the only one.",
    )
    versions = list(review.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert {(v.kind, v.reason) for v in versions[1:]} == {
        ("correction", "The agency revised its count."),
        ("update", "Clearer wording."),
    }
    assert (versions[2].verdict, versions[2].rationale) == (review.verdict, review.rationale)
    assert actions(claim).count("review_corrected") == 2


def test_a_dismissal_and_a_submission_at_once_leave_one_of_them(at_once, reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    submission, dismissal = at_once(
        lambda: submit(claim, reviewer),
        lambda: services.claim_dismiss(claim=fresh(claim), user=fresh(editor), reason="opinion"),
    )
    review = Review.objects.get(claim=claim)
    if isinstance(submission, Review):
        assert isinstance(dismissal, services.ReviewStateError), dismissal
        assert "awaiting approval; return it before dismissing it" in str(dismissal)
        assert (review.state, review.is_dismissed) == (Review.State.SUBMITTED, False)
        assert actions(claim) == ["review_assigned", "verdict_submitted"]
    else:
        assert isinstance(submission, services.ReviewStateError), submission
        assert "dismissed (opinion); an editor must restore it first" in str(submission)
        assert (review.state, review.is_dismissed, review.verdict) == ("assigned", True, "")
        assert actions(claim) == ["review_assigned", "claim_dismissed"]


def test_an_unpublish_and_a_correction_at_once_lose_nothing(
    at_once, reviewer, editor, second_editor
):
    claim = make_claim_with_evidence()
    published(claim, reviewer, editor)
    takedown, correction = at_once(
        lambda: services.review_unpublish(
            review=Review.objects.get(claim=claim), editor=fresh(editor), reason="Wrong figure."
        ),
        lambda: services.review_correct(
            review=Review.objects.get(claim=claim),
            editor=fresh(second_editor),
            reason="The agency revised its count.",
            verdict=Verdict.SUPPORTED,
        ),
    )
    assert isinstance(takedown, Review), takedown
    review = Review.objects.get(claim=claim)
    assert (review.state, review.published, review.correction_reason) == (
        Review.State.RETURNED,
        False,
        "Wrong figure.",
    )
    if isinstance(correction, Review):
        # The correction came first and stays on record; then the verdict was taken down.
        assert review.verdict == "supported"
        assert [v.kind for v in review.versions.order_by("number")] == ["first", "correction"]
        assert actions(claim)[-2:] == ["review_corrected", "review_unpublished"]
    else:
        assert isinstance(correction, services.ReviewStateError), correction
        assert "is not published; change it through the reviewer" in str(correction)
        assert review.verdict == "unsupported"
        assert review.versions.count() == 1
        assert actions(claim)[-1] == "review_unpublished"


def test_two_notes_at_once_are_both_kept(at_once, reviewer, editor):
    claim = make_claim()
    outcomes = at_once(
        lambda: services.note_add(claim=fresh(claim), author=fresh(reviewer), text="Called them."),
        lambda: services.note_add(claim=fresh(claim), author=fresh(editor), text="Ask the law."),
    )
    assert all(isinstance(outcome, ClaimNote) for outcome in outcomes), outcomes
    assert set(ClaimNote.objects.filter(claim=claim).values_list("text", flat=True)) == {
        "Called them.",
        "Ask the law.",
    }
    assert actions(claim) == ["note_added", "note_added"]


def add_source(claim, user, n):
    return services.source_add(
        claim=fresh(claim),
        user=fresh(user),
        url=f"https://www.example.gov/report-{n}",
        title=f"Evacuation report {n}",
        quote=f"We moved 800 residents (table {n}).",
    )


def test_two_different_sources_at_once_are_both_kept(at_once, reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    outcomes = at_once(lambda: add_source(claim, reviewer, 1), lambda: add_source(claim, editor, 2))
    assert all(isinstance(outcome, Source) for outcome in outcomes), outcomes
    assert Source.objects.filter(claim=claim).count() == 2
    assert actions(claim).count("source_added") == 2


def test_the_same_source_added_twice_at_once_is_kept_once(at_once, reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    first, second = at_once(
        lambda: add_source(claim, reviewer, 1), lambda: add_source(claim, editor, 1)
    )
    assert isinstance(first, Source) and isinstance(second, Source), (first, second)
    assert first.pk == second.pk
    assert Source.objects.filter(claim=claim).count() == 1
    assert actions(claim).count("source_added") == 1
