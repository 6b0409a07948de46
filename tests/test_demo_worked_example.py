"""The demo's worked example goes through the desk as two people would, and its published
verdict cites exactly what its rationale rests on: the conscription figure's own source and the
Wikipedia sentences with 48,000 servicemen and housing for 1,500 personnel (found with the
claim page's search in the shipped corpus when the machine did not pick them)."""

import pytest

from factcheck.management.commands.demo import (
    CONSCRIPTION_SOURCE,
    WORKED_EXAMPLE_RATIONALE,
    worked_example_publish,
)
from factcheck.models import Evidence
from reviews.models import AuditEntry, PublishedVersion, Review, Source
from reviews.services import ReviewError
from tests.factories import make_article, make_claim, make_evidence, make_page

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria "
    "to wipe out the terror group."
)
FIGHTERS = "Russia said its forces had killed about 2,000 terrorist-fighters from Russia."
FORTY_EIGHT_THOUSAND = (
    "At the end of December 2017, the Russian defence minister said that the Russian military "
    "had eliminated several thousand terrorists, while 48,000 Russian armed forces members had "
    '"gained combat experience" during the Russian operation in Syria.'
)


@pytest.fixture
def claim():
    article = make_article(text=f"Russia sends forces\n\n{SENTENCE}")
    claim = make_claim(
        article=article, sentence=SENTENCE, claimant="Putin", cue="announced",
        claimant_start=article.text.index("Putin"), claimant_end=article.text.index("Putin") + 5,
    )  # fmt: skip
    # The machine's pick: a sentence the rationale does not rest on.
    make_evidence(claim=claim, page=make_page(title="Russian intervention"), sentence=FIGHTERS)
    return claim


def cited_sentences(review: Review) -> list[str]:
    return [e.sentence for e in review.cited_evidence.order_by("rank")]


def test_the_worked_example_cites_the_sentences_its_rationale_rests_on(claim, reviewer, editor):
    review = worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)

    assert review.state == Review.State.PUBLISHED
    assert review.rationale == WORKED_EXAMPLE_RATIONALE
    assert review.reviewer == reviewer and review.published_by == editor
    [forty_eight, marines] = cited_sentences(review)
    assert forty_eight == FORTY_EIGHT_THOUSAND
    assert "200 Marines (with housing facilities for 1,500 personnel)" in marines
    assert FIGHTERS not in cited_sentences(review)
    [source] = review.cited_sources.all()
    assert source.url == CONSCRIPTION_SOURCE["url"]
    assert "147,100" in source.quote and "147,100" in review.rationale
    assert source.added_by == reviewer
    searched = claim.evidence.exclude(sentence=FIGHTERS)
    assert {e.method for e in searched} == {"reviewer search"}
    assert {e.added_by for e in searched} == {reviewer}
    [version] = review.versions.all()
    assert len(version.citations) == 3


def test_a_sentence_the_machine_already_found_is_cited_not_attached_again(claim, reviewer, editor):
    page = make_page(title="Russian military intervention in the Syrian civil war")
    machine = make_evidence(claim=claim, page=page, rank=2, sentence=FORTY_EIGHT_THOUSAND)

    review = worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)

    assert machine in review.cited_evidence.all()
    assert claim.evidence.filter(sentence__contains="48,000").count() == 1


def stored() -> dict[str, int]:
    models = (Evidence, Source, PublishedVersion, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def test_a_run_interrupted_before_publishing_resumes_without_storing_twice(claim, reviewer, editor):
    with pytest.raises(ReviewError):  # no editor to publish: stops after the submission
        worked_example_publish(claim=claim, reviewer=reviewer, editor=reviewer)
    before = stored()

    review = worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)

    assert review.state == Review.State.PUBLISHED
    after = stored()
    assert after["Evidence"] == before["Evidence"] and after["Source"] == before["Source"]
    assert after["PublishedVersion"] == before["PublishedVersion"] + 1
    assert after["AuditEntry"] == before["AuditEntry"] + 1  # the publication, nothing else


def test_running_the_worked_example_again_stores_nothing(claim, reviewer, editor):
    worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)
    before = stored()

    review = worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)

    assert stored() == before
    assert review.state == Review.State.PUBLISHED


def test_the_editor_publishes_what_the_reviewer_submitted(claim, reviewer, editor):
    worked_example_publish(claim=claim, reviewer=reviewer, editor=editor)

    actions = list(
        AuditEntry.objects.filter(claim_id=claim.pk)
        .order_by("pk")
        .values_list("actor__username", "action")
    )
    assert actions[0] == (editor.username, "review_assigned")
    assert (reviewer.username, "verdict_submitted") in actions
    assert actions[-1] == (editor.username, "review_published")
