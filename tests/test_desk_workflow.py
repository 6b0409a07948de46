"""Every service of the review desk (reviews.services): what it does, that running it twice
writes no second audit entry, and each refusal with the reason a person is given.

Races between two people are in tests/test_desk_concurrency.py, e-mail in
tests/test_desk_email.py.
"""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from factcheck.safe_urls import UnsafeURLError
from reviews import services
from reviews.models import (
    AuditEntry,
    ClaimantCorrection,
    ClaimNote,
    PublishedVersion,
    Review,
    ReviewTransition,
    Source,
    Verdict,
)
from tests.conftest import make_staff_user
from tests.factories import make_claim, make_claim_with_evidence, make_page

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 10)


@pytest.fixture
def second_editor(db) -> User:
    return make_staff_user("erin_editor", "Editor")


def actions(claim) -> list[str]:
    return list(
        AuditEntry.objects.filter(claim=claim).order_by("id").values_list("action", flat=True)
    )


def last_entry(claim) -> AuditEntry:
    return AuditEntry.objects.filter(claim=claim).latest("id")


def add_source(claim, user, n=1, **fields) -> Source:
    values = {
        "url": f"https://www.example.gov/report-{n}",
        "title": f"Evacuation report {n}",
        "publisher": "Civil Protection Agency",
        "quote": f"We moved 800 residents (table {n}).",
    }
    values.update(fields)
    return services.source_add(claim=claim, user=user, **values)


def submit(claim, reviewer, verdict=Verdict.UNSUPPORTED, rationale="The agency says 800.", **kw):
    kw.setdefault("evidence_ids", [claim.evidence.order_by("rank").first().pk])
    return services.review_submit(
        claim=claim, reviewer=reviewer, verdict=verdict, rationale=rationale, **kw
    )


def published(claim, reviewer, editor, **kw) -> Review:
    return services.review_publish(review=submit(claim, reviewer, **kw), editor=editor)


# --- review_assign ---------------------------------------------------------------------------


def test_an_editor_assigns_with_a_due_date_and_a_priority(reviewer, editor):
    claim = make_claim()
    review = services.review_assign(
        claim=claim, assignee=reviewer, assigned_by=editor, due_on=DUE, priority="high"
    )
    review.refresh_from_db()
    assert (review.assignee, review.assigned_by, review.due_on) == (reviewer, editor, DUE)
    assert (review.priority, review.effective_priority) == ("high", "high")
    entry = last_entry(claim)
    assert (entry.action, entry.actor) == ("review_assigned", editor)
    assert entry.details == {
        "assignee": "rita_reviewer",
        "previous_assignee": None,
        "due_on": "2026-12-10",
        "priority": "high",
    }


def test_assigning_the_same_way_twice_writes_one_audit_entry(reviewer, editor):
    claim = make_claim()
    for _ in range(2):
        services.review_assign(
            claim=claim, assignee=reviewer, assigned_by=editor, due_on=DUE, priority="low"
        )
    assert actions(claim) == ["review_assigned"]


def test_an_editor_moves_the_due_date_without_reassigning(reviewer, editor):
    claim = make_claim()
    first = services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=DUE)
    later = services.review_assign(
        claim=claim, assignee=reviewer, assigned_by=editor, due_on=date(2026, 12, 24)
    )
    assert (later.assignee, later.assigned_at) == (reviewer, first.assigned_at)
    assert Review.objects.get(claim=claim).due_on == date(2026, 12, 24)
    assert actions(claim) == ["review_assigned", "review_assigned"]


def test_a_reviewer_cannot_set_a_due_date_or_a_priority(reviewer):
    claim = make_claim()
    with pytest.raises(services.ReviewPermissionError, match="Only editors may set a due date"):
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer, due_on=DUE)
    with pytest.raises(services.ReviewPermissionError, match="Only editors may set a due date"):
        services.review_assign(
            claim=claim, assignee=reviewer, assigned_by=reviewer, priority="high"
        )
    assert not Review.objects.filter(claim=claim).exists()


def test_it_refuses_an_unknown_priority(reviewer, editor):
    with pytest.raises(ValueError, match="Unknown priority 'urgent'"):
        services.review_assign(
            claim=make_claim(), assignee=reviewer, assigned_by=editor, priority="urgent"
        )


def test_a_dismissed_claim_cannot_be_assigned_until_restored(reviewer, editor):
    claim = make_claim()
    services.claim_dismiss(claim=claim, user=editor, reason="opinion")
    with pytest.raises(services.ReviewStateError, match=r"dismissed \(opinion\); an editor must"):
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    services.claim_restore(claim=claim, editor=editor)
    assert services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor).assignee


def test_a_published_claim_cannot_be_reassigned(reviewer, second_reviewer, editor):
    claim = make_claim_with_evidence()
    published(claim, reviewer, editor)
    with pytest.raises(services.ReviewStateError, match="is published; it can no longer be"):
        services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)


# --- review_unassign -------------------------------------------------------------------------


def test_an_editor_unassigns_a_claim(reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=DUE)
    review = services.review_unassign(claim=claim, editor=editor)
    review.refresh_from_db()
    assert (review.assignee, review.assigned_at, review.state) == (None, None, "assigned")
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details) == (
        "review_unassigned",
        editor,
        {"previous_assignee": "rita_reviewer"},
    )


def test_unassigning_twice_writes_one_audit_entry(reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    services.review_unassign(claim=claim, editor=editor)
    services.review_unassign(claim=claim, editor=editor)
    assert actions(claim) == ["review_assigned", "review_unassigned"]


def test_a_reviewer_cannot_unassign(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewPermissionError, match="Only editors may unassign"):
        services.review_unassign(claim=claim, editor=reviewer)


def test_a_claim_awaiting_approval_cannot_be_unassigned(reviewer, editor):
    claim = make_claim_with_evidence()
    submit(claim, reviewer)
    with pytest.raises(services.ReviewStateError, match="awaiting approval; return it or"):
        services.review_unassign(claim=claim, editor=editor)
    assert Review.objects.get(claim=claim).assignee == reviewer


def test_unassigning_a_returned_claim_puts_it_back_in_the_pool(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_return(review=submit(claim, reviewer), editor=editor, note="Cite the law.")
    review = services.review_unassign(claim=claim, editor=editor)
    assert (review.state, review.assignee) == (Review.State.ASSIGNED, None)
    last = review.transitions.last()
    assert (last.from_state, last.to_state, last.actor, last.comment) == (
        "returned",
        "assigned",
        editor,
        "Unassigned",
    )


# --- source_add ------------------------------------------------------------------------------


def test_a_reviewer_adds_a_source_of_their_own(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    source = add_source(
        claim,
        reviewer,
        url=" https://www.example.gov/report ",
        title=" Evacuation report ",
        quote=" We moved 800 residents. ",
        accessed_on=date(2026, 11, 21),
        archived_url="https://web.archive.org/web/2026/https://www.example.gov/report",
    )
    source.refresh_from_db()
    assert (source.url, source.title, source.quote, source.publisher) == (
        "https://www.example.gov/report",
        "Evacuation report",
        "We moved 800 residents.",
        "Civil Protection Agency",
    )
    assert (source.accessed_on, source.added_by) == (date(2026, 11, 21), reviewer)
    assert source.archived_url.startswith("https://web.archive.org/")
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details["source"]) == (
        "source_added",
        reviewer,
        source.pk,
    )


def test_adding_the_same_source_twice_keeps_one(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    first, second = add_source(claim, reviewer), add_source(claim, reviewer)
    assert first.pk == second.pk
    assert Source.objects.filter(claim=claim).count() == 1
    assert actions(claim).count("source_added") == 1


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("url", "javascript:alert(1)", "only http and https links"),
        ("url", "ftp://example.org/report.pdf", "only http and https links"),
        ("archived_url", "data:text/html,hi", "only http and https links"),
    ],
)
def test_a_source_link_must_be_http(reviewer, field, value, reason):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(UnsafeURLError, match=reason):
        add_source(claim, reviewer, **{field: value})
    assert not Source.objects.exists()


def test_a_source_needs_a_title_and_a_quote(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(ValueError, match="needs a title"):
        add_source(claim, reviewer, title="  ")
    with pytest.raises(ValueError, match="needs the quoted passage"):
        add_source(claim, reviewer, quote="")


def test_a_reviewer_cannot_add_a_source_to_someone_elses_claim(reviewer, second_reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    with pytest.raises(
        services.ReviewPermissionError,
        match=f"Claim {claim.pk} is assigned to sam_reviewer; only they or an editor may add",
    ):
        add_source(claim, reviewer)
    assert not Source.objects.exists()


def test_a_reviewer_must_take_a_claim_before_adding_sources(reviewer):
    claim = make_claim()
    with pytest.raises(services.ReviewPermissionError, match=r"take it \(Assign to me\)"):
        add_source(claim, reviewer)


def test_an_editor_adds_a_source_to_a_published_claim_for_a_correction(
    reviewer, editor, second_editor
):
    claim = make_claim_with_evidence()
    review = published(claim, reviewer, editor)
    source = add_source(claim, second_editor)
    review = services.review_correct(
        review=review,
        editor=second_editor,
        reason="Added the agency's own report.",
        source_ids=[source.pk],
    )
    assert list(review.cited_sources.all()) == [source]


# --- evidence_attach -------------------------------------------------------------------------

PAGE_SECTIONS = [
    {"heading": "", "text": "Geneva is a city. It hosts many talks."},
    {"heading": "Evacuation", "text": "In November, 800 residents were moved. Most returned."},
]


def test_a_searched_sentence_is_attached_as_evidence(reviewer):
    claim = make_claim_with_evidence(n_evidence=2)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    page = make_page(sections=PAGE_SECTIONS)
    evidence = services.evidence_attach(
        claim=claim, user=reviewer, page_id=page.pk, sentence_index=2, query="  800   moved "
    )
    evidence.refresh_from_db()
    assert (evidence.sentence, evidence.section) == (
        "In November, 800 residents were moved.",
        "Evacuation",
    )
    assert (evidence.rank, evidence.method, evidence.added_by) == (3, "reviewer search", reviewer)
    assert evidence.search_query == "800 moved"
    entry = last_entry(claim)
    assert (entry.action, entry.details) == (
        "evidence_attached",
        {"evidence": evidence.pk, "page": page.title, "query": "800 moved"},
    )


def test_attaching_the_same_sentence_twice_keeps_one(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    page = make_page(sections=PAGE_SECTIONS)
    first, second = (
        services.evidence_attach(claim=claim, user=reviewer, page_id=page.pk, sentence_index=2)
        for _ in range(2)
    )
    assert first.pk == second.pk
    assert actions(claim).count("evidence_attached") == 1


def test_it_refuses_a_page_or_sentence_that_is_not_stored(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    page = make_page(sections=PAGE_SECTIONS)
    with pytest.raises(ValueError, match="No stored page"):
        services.evidence_attach(claim=claim, user=reviewer, page_id=page.pk + 99, sentence_index=0)
    with pytest.raises(ValueError, match="has no sentence 9"):
        services.evidence_attach(claim=claim, user=reviewer, page_id=page.pk, sentence_index=9)


def test_a_reviewer_cannot_attach_evidence_to_someone_elses_claim(reviewer, second_reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    page = make_page(sections=PAGE_SECTIONS)
    with pytest.raises(services.ReviewPermissionError, match="only they or an editor may attach"):
        services.evidence_attach(claim=claim, user=reviewer, page_id=page.pk, sentence_index=2)


# --- review_submit ---------------------------------------------------------------------------


def test_a_verdict_cites_machine_evidence_searched_evidence_and_own_sources(reviewer):
    claim = make_claim_with_evidence(n_evidence=2)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    machine = claim.evidence.get(rank=1)
    searched = services.evidence_attach(
        claim=claim, user=reviewer, page_id=make_page(sections=PAGE_SECTIONS).pk, sentence_index=2
    )
    own = add_source(claim, reviewer)
    review = submit(claim, reviewer, evidence_ids=[machine.pk, searched.pk], source_ids=[own.pk])
    assert set(review.cited_evidence.all()) == {machine, searched}
    assert list(review.cited_sources.all()) == [own]
    assert last_entry(claim).details == {
        "verdict": "unsupported",
        "previous_verdict": None,
        "cited_evidence": sorted([machine.pk, searched.pk]),
        "cited_sources": [own.pk],
    }


def test_it_refuses_a_source_of_another_claim(reviewer):
    claim = make_claim_with_evidence()
    other = make_claim()
    services.review_assign(claim=other, assignee=reviewer, assigned_by=reviewer)
    foreign = add_source(other, reviewer)
    with pytest.raises(ValueError, match=f"is not a source of claim {claim.pk}"):
        submit(claim, reviewer, source_ids=[foreign.pk])
    assert not Review.objects.filter(claim=claim).exists()


def test_it_refuses_evidence_of_another_claim(reviewer):
    claim = make_claim_with_evidence()
    other = make_claim_with_evidence()
    with pytest.raises(ValueError, match=f"is not evidence of claim {claim.pk}"):
        submit(claim, reviewer, evidence_ids=[other.evidence.first().pk])


def test_a_reviewer_cannot_submit_on_a_claim_assigned_to_someone_else(reviewer, second_reviewer):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    with pytest.raises(
        services.ReviewPermissionError, match="assigned to sam_reviewer; ask an editor to reassign"
    ):
        submit(claim, reviewer)


def test_a_returned_claim_given_to_someone_else_names_its_new_assignee(
    reviewer, second_reviewer, editor
):
    claim = make_claim_with_evidence()
    services.review_return(review=submit(claim, reviewer), editor=editor, note="Cite the law.")
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)
    with pytest.raises(
        services.ReviewPermissionError, match="assigned to sam_reviewer; ask an editor to reassign"
    ):
        submit(claim, reviewer, rationale="Revised anyway.")
    review = submit(claim, second_reviewer, rationale="Sam's revision.")
    assert (review.state, review.reviewer) == (Review.State.SUBMITTED, second_reviewer)


def test_a_dismissed_claim_takes_no_verdict(reviewer, editor):
    claim = make_claim_with_evidence()
    services.claim_dismiss(claim=claim, user=editor, reason="out_of_scope")
    with pytest.raises(services.ReviewStateError, match=r"dismissed \(out of scope\)"):
        submit(claim, reviewer)


# --- review_return ---------------------------------------------------------------------------


def test_an_editor_returns_a_verdict_with_a_note(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_return(
        review=submit(claim, reviewer), editor=editor, note=" Cite the 48,000 figure too. "
    )
    assert review.state == Review.State.RETURNED
    last = review.transitions.last()
    assert (last.from_state, last.to_state, last.actor, last.comment) == (
        "submitted",
        "returned",
        editor,
        "Cite the 48,000 figure too.",
    )
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details) == (
        "review_returned",
        editor,
        {"note": "Cite the 48,000 figure too."},
    )


def test_returning_twice_with_the_same_note_writes_one_audit_entry(reviewer, editor):
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    services.review_return(review=review, editor=editor, note="Cite the law.")
    services.review_return(review=review, editor=editor, note="Cite the law.")
    assert actions(claim).count("review_returned") == 1
    assert review.transitions.filter(to_state="returned").count() == 1


def test_returning_needs_a_note(reviewer, editor):
    review = submit(make_claim_with_evidence(), reviewer)
    with pytest.raises(ValueError, match="a return needs a note"):
        services.review_return(review=review, editor=editor, note="   ")
    assert Review.objects.get(pk=review.pk).state == Review.State.SUBMITTED


def test_a_reviewer_cannot_return_a_verdict(reviewer, second_reviewer):
    review = submit(make_claim_with_evidence(), reviewer)
    with pytest.raises(services.ReviewPermissionError, match="Only editors may return"):
        services.review_return(review=review, editor=second_reviewer, note="No.")


def test_only_a_verdict_awaiting_approval_can_be_returned(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="only a verdict awaiting approval"):
        services.review_return(review=review, editor=editor, note="Nothing to return.")


def test_an_editor_cannot_return_their_own_verdict(editor):
    review = submit(make_claim_with_evidence(), editor)
    with pytest.raises(services.ReviewPermissionError, match="revise it instead of returning"):
        services.review_return(review=review, editor=editor, note="Hmm.")


def test_a_returned_verdict_is_resubmitted(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_return(review=submit(claim, reviewer), editor=editor, note="Cite the law.")
    review = submit(claim, reviewer, rationale="The law says 800 too.")
    assert (review.state, review.rationale) == (Review.State.SUBMITTED, "The law says 800 too.")
    assert actions(claim) == ["verdict_submitted", "review_returned", "verdict_resubmitted"]


# --- review_publish --------------------------------------------------------------------------


def test_publishing_keeps_the_first_version(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    own = add_source(claim, reviewer)
    evidence = claim.evidence.get(rank=1)
    review = published(claim, reviewer, editor, source_ids=[own.pk])
    version = review.versions.get()
    assert (version.number, version.kind, version.reason) == (1, "first", "")
    assert (version.verdict, version.rationale) == ("unsupported", "The agency says 800.")
    assert (version.published_at, version.published_by) == (review.published_at, editor)
    assert version.citations == [
        {
            "kind": "evidence",
            "id": evidence.pk,
            "title": evidence.page.title,
            "url": evidence.page.permalink,
            "quote": evidence.sentence,
        },
        {
            "kind": "source",
            "id": own.pk,
            "title": "Evacuation report 1",
            "publisher": "Civil Protection Agency",
            "url": "https://www.example.gov/report-1",
            "quote": "We moved 800 residents (table 1).",
        },
    ]
    assert last_entry(claim).details == {"verdict": "unsupported", "version": 1}


def test_an_editor_cannot_publish_their_own_verdict(editor):
    review = submit(make_claim_with_evidence(), editor)
    with pytest.raises(
        services.ReviewPermissionError, match="submitted this verdict yourself; another editor"
    ):
        services.review_publish(review=review, editor=editor)


def test_a_superuser_cannot_publish_their_own_verdict(db):
    boss = User.objects.create_superuser(username="boss", password="pw-boss")
    review = submit(make_claim_with_evidence(), boss)
    with pytest.raises(services.ReviewPermissionError, match="submitted this verdict yourself"):
        services.review_publish(review=review, editor=boss)


def test_a_returned_claim_cannot_be_published(reviewer, editor, second_editor):
    review = submit(make_claim_with_evidence(), reviewer)
    services.review_return(review=review, editor=editor, note="Cite the law.")
    with pytest.raises(
        services.ReviewStateError, match="returned to its reviewer; it can be published once"
    ):
        services.review_publish(review=review, editor=second_editor)
    assert not Review.objects.get(pk=review.pk).published


def test_a_verdict_that_cites_nothing_cannot_be_published(reviewer, editor):
    review = submit(make_claim_with_evidence(), reviewer, evidence_ids=[])
    with pytest.raises(services.ReviewStateError, match="needs at least one cited"):
        services.review_publish(review=review, editor=editor)


def test_the_two_person_path_records_every_state_change(reviewer, editor, second_editor):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    submit(claim, reviewer)
    review = services.review_return(
        review=Review.objects.get(claim=claim), editor=editor, note="Cite the law."
    )
    submit(claim, reviewer, rationale="The law says 800 too.")
    services.review_publish(review=review, editor=second_editor)
    rows = list(review.transitions.order_by("at", "id"))
    assert [(t.from_state, t.to_state, t.actor, t.comment) for t in rows] == [
        ("assigned", "submitted", reviewer, ""),
        ("submitted", "returned", editor, "Cite the law."),
        ("returned", "submitted", reviewer, ""),
        ("submitted", "published", second_editor, ""),
    ]
    assert all(t.at is not None for t in rows)
    assert [t.at for t in rows] == sorted(t.at for t in rows)
    assert actions(claim) == [
        "review_assigned",
        "verdict_submitted",
        "review_returned",
        "verdict_resubmitted",
        "review_published",
    ]


# --- review_unpublish and republication ------------------------------------------------------


def test_unpublishing_returns_the_verdict_with_the_reason(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_unpublish(
        review=published(claim, reviewer, editor), editor=editor, reason=" Misread figure. "
    )
    assert (review.state, review.published, review.correction_reason) == (
        Review.State.RETURNED,
        False,
        "Misread figure.",
    )
    last = review.transitions.last()
    assert (last.from_state, last.to_state, last.comment) == (
        "published",
        "returned",
        "Misread figure.",
    )
    entry = last_entry(claim)
    assert (entry.action, entry.details) == ("review_unpublished", {"reason": "Misread figure."})


def test_unpublishing_needs_a_reason_and_an_editor(reviewer, second_reviewer, editor):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(ValueError, match="unpublishing needs a reason"):
        services.review_unpublish(review=review, editor=editor, reason="")
    with pytest.raises(services.ReviewPermissionError, match="Only editors may unpublish"):
        services.review_unpublish(review=review, editor=second_reviewer, reason="I disagree.")
    assert Review.objects.get(pk=review.pk).published


def test_republishing_a_changed_verdict_records_a_correction_with_the_reason(
    reviewer, editor, second_editor
):
    claim = make_claim_with_evidence()
    review = published(claim, reviewer, editor)
    services.review_unpublish(review=review, editor=editor, reason="The agency revised its count.")
    submit(claim, reviewer, verdict=Verdict.SUPPORTED, rationale="The revised count is 1,200.")
    review = services.review_publish(review=review, editor=second_editor)
    assert review.correction_reason == ""
    first, second = review.versions.order_by("number")
    assert (first.kind, first.verdict) == ("first", "unsupported")
    assert (second.number, second.kind, second.reason) == (
        2,
        "correction",
        "The agency revised its count.",
    )
    assert (second.verdict, second.rationale, second.published_by) == (
        "supported",
        "The revised count is 1,200.",
        second_editor,
    )
    assert review.transitions.last().comment == "The agency revised its count."


def test_republishing_the_same_verdict_records_an_update(reviewer, editor):
    claim = make_claim_with_evidence()
    review = published(claim, reviewer, editor)
    services.review_unpublish(review=review, editor=editor, reason="Clearer wording.")
    submit(claim, reviewer, rationale="The agency counted 800, not 1,200.")
    review = services.review_publish(review=review, editor=editor)
    latest = review.versions.latest("number")
    assert (latest.kind, latest.reason) == ("update", "Clearer wording.")


# --- review_correct --------------------------------------------------------------------------


def test_changing_the_verdict_is_a_correction(reviewer, editor, second_editor):
    claim = make_claim_with_evidence()
    review = published(claim, reviewer, editor)
    review = services.review_correct(
        review=review,
        editor=second_editor,
        reason=" The count was revised. ",
        verdict=Verdict.SUPPORTED,
        rationale="The agency's revised count is 1,200.",
    )
    assert (review.state, review.verdict, review.published_by) == (
        Review.State.PUBLISHED,
        "supported",
        second_editor,
    )
    version = review.versions.latest("number")
    assert (version.number, version.kind, version.reason, version.verdict) == (
        2,
        "correction",
        "The count was revised.",
        "supported",
    )
    assert version.published_at == review.published_at
    assert review.transitions.last().comment == "The count was revised."
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details) == (
        "review_corrected",
        second_editor,
        {
            "reason": "The count was revised.",
            "kind": "correction",
            "verdict": "supported",
            "previous_verdict": "unsupported",
        },
    )


def test_changing_the_rationale_or_citations_is_an_update(reviewer, editor):
    claim = make_claim_with_evidence(n_evidence=2)
    review = published(claim, reviewer, editor)
    second = claim.evidence.get(rank=2)
    review = services.review_correct(
        review=review, editor=editor, reason="A second source.", evidence_ids=[second.pk]
    )
    version = review.versions.latest("number")
    assert (version.kind, version.verdict) == ("update", "unsupported")
    assert [c["id"] for c in version.citations] == [second.pk]
    assert list(review.cited_evidence.all()) == [second]


def test_correcting_the_same_way_twice_keeps_one_new_version(reviewer, editor):
    claim = make_claim_with_evidence()
    review = published(claim, reviewer, editor)
    for _ in range(2):
        services.review_correct(
            review=review,
            editor=editor,
            reason="Typo.",
            rationale="The agency says 800. It is the only count.",
        )
    assert review.versions.count() == 2
    assert actions(claim).count("review_corrected") == 1


def test_a_correction_needs_a_reason(reviewer, editor):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(ValueError, match="a correction needs a reason"):
        services.review_correct(review=review, editor=editor, reason=" ", verdict="supported")
    assert Review.objects.get(pk=review.pk).verdict == "unsupported"


def test_only_a_published_verdict_is_corrected(reviewer, editor):
    review = submit(make_claim_with_evidence(), reviewer)
    with pytest.raises(services.ReviewStateError, match="is not published; change it through"):
        services.review_correct(review=review, editor=editor, reason="X.", verdict="supported")


def test_an_editor_cannot_correct_their_own_verdict(editor, second_editor):
    review = published(make_claim_with_evidence(), editor, second_editor)
    with pytest.raises(services.ReviewPermissionError, match="You wrote this verdict"):
        services.review_correct(review=review, editor=editor, reason="X.", verdict="supported")


def test_a_reviewer_cannot_correct(reviewer, second_reviewer, editor):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(services.ReviewPermissionError, match="Only editors may correct"):
        services.review_correct(
            review=review, editor=second_reviewer, reason="X.", verdict="supported"
        )


def test_a_correction_cannot_drop_every_citation_or_blank_the_rationale(reviewer, editor):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(ValueError, match="must cite at least one"):
        services.review_correct(review=review, editor=editor, reason="X.", evidence_ids=[])
    with pytest.raises(ValueError, match="rationale cannot be blank"):
        services.review_correct(review=review, editor=editor, reason="X.", rationale="  ")
    with pytest.raises(ValueError, match="Unknown verdict"):
        services.review_correct(review=review, editor=editor, reason="X.", verdict="mostly")
    assert review.versions.count() == 1


# --- claim_dismiss and claim_restore ---------------------------------------------------------


def test_a_reviewer_dismisses_an_unassigned_claim(reviewer):
    claim = make_claim()
    review = services.claim_dismiss(claim=claim, user=reviewer, reason="not_checkable")
    review.refresh_from_db()
    assert review.is_dismissed
    assert (review.dismissed_reason, review.dismissed_by) == ("not_checkable", reviewer)
    assert review.dismissed_at is not None
    entry = last_entry(claim)
    assert (entry.action, entry.details) == (
        "claim_dismissed",
        {"reason": "not_checkable", "note": ""},
    )


def test_dismissing_twice_with_the_same_reason_writes_one_audit_entry(editor):
    claim = make_claim()
    for _ in range(2):
        services.claim_dismiss(claim=claim, user=editor, reason="other", note="A photo caption.")
    assert actions(claim) == ["claim_dismissed"]


def test_dismissing_for_other_needs_a_note(editor):
    claim = make_claim()
    with pytest.raises(ValueError, match='Dismissing for "other" needs a note'):
        services.claim_dismiss(claim=claim, user=editor, reason="other", note="  ")
    with pytest.raises(ValueError, match="Unknown reason 'boring'"):
        services.claim_dismiss(claim=claim, user=editor, reason="boring")
    assert not Review.objects.filter(claim=claim).exists()


def test_a_reviewer_cannot_dismiss_someone_elses_claim(reviewer, second_reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    with pytest.raises(
        services.ReviewPermissionError, match="assigned to sam_reviewer; only they or an editor"
    ):
        services.claim_dismiss(claim=claim, user=reviewer, reason="opinion")
    assert not Review.objects.get(claim=claim).is_dismissed


def test_an_outsider_cannot_dismiss(outsider):
    with pytest.raises(services.ReviewPermissionError, match="not on the review desk"):
        services.claim_dismiss(claim=make_claim(), user=outsider, reason="opinion")


def test_a_claim_awaiting_approval_or_published_is_not_dismissed(reviewer, editor):
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    with pytest.raises(services.ReviewStateError, match="return it before dismissing it"):
        services.claim_dismiss(claim=claim, user=editor, reason="opinion")
    services.review_publish(review=review, editor=editor)
    with pytest.raises(services.ReviewStateError, match="unpublish it before dismissing it"):
        services.claim_dismiss(claim=claim, user=editor, reason="opinion")


def test_an_editor_restores_a_dismissed_claim(reviewer, editor):
    claim = make_claim()
    services.claim_dismiss(claim=claim, user=reviewer, reason="other", note="A headline.")
    review = services.claim_restore(claim=claim, editor=editor)
    review.refresh_from_db()
    assert not review.is_dismissed
    assert (review.dismissed_note, review.dismissed_by, review.dismissed_at) == ("", None, None)
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details) == (
        "claim_restored",
        editor,
        {"reason": "other", "note": "A headline."},
    )


def test_restoring_twice_writes_one_audit_entry(editor):
    claim = make_claim()
    services.claim_dismiss(claim=claim, user=editor, reason="duplicate")
    services.claim_restore(claim=claim, editor=editor)
    services.claim_restore(claim=claim, editor=editor)
    assert actions(claim) == ["claim_dismissed", "claim_restored"]


def test_a_reviewer_cannot_restore(reviewer):
    claim = make_claim()
    services.claim_dismiss(claim=claim, user=reviewer, reason="opinion")
    with pytest.raises(services.ReviewPermissionError, match="Only editors may restore"):
        services.claim_restore(claim=claim, editor=reviewer)
    assert Review.objects.get(claim=claim).is_dismissed


def test_the_database_refuses_a_dismissed_published_verdict(reviewer, editor):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(dismissed_reason="opinion")
    assert not Review.objects.get(pk=review.pk).is_dismissed


def test_the_database_refuses_other_without_a_note(editor):
    review = services.claim_dismiss(claim=make_claim(), user=editor, reason="opinion")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(dismissed_reason="other", dismissed_note="")


def test_the_database_refuses_a_return_without_a_note_and_a_change_without_a_reason(
    reviewer, editor
):
    review = published(make_claim_with_evidence(), reviewer, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewTransition.objects.create(
            review=review, from_state="submitted", to_state="returned", actor=editor
        )
    first = review.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedVersion.objects.create(
            review=review,
            number=2,
            kind="correction",
            verdict=first.verdict,
            rationale=first.rationale,
            published_at=first.published_at,
            published_by=editor,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(published=False, state="submitted", rationale="")


# --- note_add --------------------------------------------------------------------------------


def test_a_note_is_added_to_the_claims_thread_and_audited(reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    note = services.note_add(claim=claim, author=editor, text="  Ask the ministry first.  ")
    assert (note.author, note.text, note.claim) == (editor, "Ask the ministry first.", claim)
    assert note.created_at is not None
    entry = last_entry(claim)
    assert (entry.action, entry.actor, entry.details) == ("note_added", editor, {"note": note.pk})
    assert entry.review == Review.objects.get(claim=claim)


def test_each_note_is_kept_because_a_thread_is_not_a_setting(reviewer):
    claim = make_claim()
    services.note_add(claim=claim, author=reviewer, text="Called the ministry.")
    services.note_add(claim=claim, author=reviewer, text="Called the ministry.")
    assert ClaimNote.objects.filter(claim=claim).count() == 2
    assert actions(claim) == ["note_added", "note_added"]


def test_a_note_needs_text_and_a_desk_member(reviewer, outsider):
    claim = make_claim()
    with pytest.raises(ValueError, match="A note needs some text"):
        services.note_add(claim=claim, author=reviewer, text="  ")
    with pytest.raises(services.ReviewPermissionError, match="not on the review desk"):
        services.note_add(claim=claim, author=outsider, text="Hello.")
    assert not ClaimNote.objects.exists()


# --- claimant_correct ------------------------------------------------------------------------


def test_correcting_the_claimant_keeps_the_machines_values(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    correction = services.claimant_correct(
        claim=claim, user=reviewer, claimant="  Health Minister   Jane Roe ", cue="announced"
    )
    assert (correction.claimant, correction.cue) == ("Health Minister Jane Roe", "announced")
    assert (correction.machine_claimant, correction.machine_cue) == ("The health minister", "said")
    assert correction.corrected_by == reviewer
    claim.refresh_from_db()
    assert (claim.claimant, claim.cue) == ("The health minister", "said")
    entry = last_entry(claim)
    assert (entry.action, entry.details) == (
        "claimant_corrected",
        {
            "claimant": "Health Minister Jane Roe",
            "cue": "announced",
            "machine_claimant": "The health minister",
            "machine_cue": "said",
            "previous": None,
        },
    )


def test_correcting_the_claimant_twice_the_same_way_writes_one_audit_entry(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    for _ in range(2):
        services.claimant_correct(claim=claim, user=reviewer, claimant="Jane Roe", cue="said")
    assert actions(claim).count("claimant_corrected") == 1


def test_a_second_correction_records_the_first(reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.claimant_correct(claim=claim, user=reviewer, claimant="Jane Roe", cue="said")
    services.claimant_correct(claim=claim, user=editor, claimant="The agency", cue="reported")
    correction = ClaimantCorrection.objects.get(claim=claim)
    assert (correction.claimant, correction.corrected_by) == ("The agency", editor)
    assert correction.machine_claimant == "The health minister"
    assert last_entry(claim).details["previous"] == ["Jane Roe", "said"]


def test_claimant_correction_refusals(reviewer, second_reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(ValueError, match="Name the claimant"):
        services.claimant_correct(claim=claim, user=reviewer, claimant="   ")
    with pytest.raises(services.ReviewPermissionError, match="only they or an editor may correct"):
        services.claimant_correct(claim=claim, user=second_reviewer, claimant="Jane Roe")
    published(claim, reviewer, editor)
    with pytest.raises(services.ReviewStateError, match="unpublish it to correct the claimant"):
        services.claimant_correct(claim=claim, user=editor, claimant="Jane Roe")
    assert not ClaimantCorrection.objects.exists()
