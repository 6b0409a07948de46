"""The public side of corrections: a changed verdict says so at the top of its page and keeps
the earlier versions, /corrections/ lists every change, ClaimReview's dateModified follows the
latest version; and what a verdict cites and who made the claim, as the desk left them."""

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from factcheck import views
from reviews import services
from reviews.models import PublishedVersion, Source, Verdict
from tests.conftest import make_staff_user
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_page,
    make_published_review,
)

BASE = "https://checks.example.org"
FIRST_RATIONALE = "The minister did not say this; the agency did."


@pytest.fixture(autouse=True)
def public_settings(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = BASE + "/"
    settings.FACTCHECK_ORGANIZATION_NAME = "Example Desk"


@pytest.fixture
def second_editor(db):
    return make_staff_user("erin_editor", "Editor")


@pytest.fixture
def published(db, reviewer, editor):
    """A misattributed verdict citing the first of two evidence sentences."""
    claim = make_claim_with_evidence(n_evidence=2)
    return make_published_review(claim=claim, reviewer=reviewer, editor=editor)


def page_text(response) -> str:
    """The page as a reader reads it: no tags, entities decoded, whitespace collapsed."""
    assert response.status_code == 200
    body = re.sub(r"<script.*?</script>|<[^>]+>", "", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(body).split())


def json_ld(response) -> dict:
    [found] = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found)


def day(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


def versions_of(review) -> list[PublishedVersion]:
    return list(review.versions.order_by("number"))


def backdate_first_version(review) -> dt.datetime:
    """The verdict was first published ten days ago (the service stamps the present)."""
    when = timezone.now() - dt.timedelta(days=10)
    PublishedVersion.objects.filter(review=review, number=1).update(published_at=when)
    return when


# --- The verdict page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_verdict_is_announced_as_corrected_with_the_earlier_version_below(
    client, published, editor
):
    first_at = backdate_first_version(published)
    services.review_correct(
        review=published,
        editor=editor,
        reason="The agency's figure was for a different city.",
        verdict=Verdict.UNSUPPORTED,
        rationale="No source puts the evacuation at 1,200 people.",
    )
    first, correction = versions_of(published)

    response = client.get(published.get_absolute_url())
    text = page_text(response)
    notice = f"Corrected on {day(correction.published_at)}: "
    assert notice + "The agency's figure was for a different city." in text
    assert text.index(notice) < text.index("The claim as it appeared")
    assert "Our verdict: unsupported" in text
    assert "No source puts the evacuation at 1,200 people." in text
    earlier = text[text.index("Earlier versions") :]
    assert f"Published on {day(first_at)} Misattributed" in earlier
    assert FIRST_RATIONALE in earlier
    assert first.citations[0]["quote"] in earlier
    assert f"First published {day(first_at)}." in text
    assert '<a href="/corrections/">All corrections</a>' in response.content.decode()
    # The markup rates the verdict as it stands now.
    assert json_ld(response)["reviewRating"]["alternateName"] == "Unsupported"


@pytest.mark.django_db
def test_a_rationale_only_change_is_announced_as_updated(client, published, editor):
    services.review_correct(
        review=published,
        editor=editor,
        reason="We name the agency.",
        rationale="The minister did not say this; the Civil Protection Agency did.",
    )
    [_, update] = versions_of(published)
    text = page_text(client.get(published.get_absolute_url()))
    assert f"Updated on {day(update.published_at)}: We name the agency." in text
    assert "Corrected on" not in text
    earlier = text[text.index("Earlier versions") :]
    assert FIRST_RATIONALE in earlier and "Misattributed" in earlier


@pytest.mark.django_db
def test_each_later_version_has_its_own_line_newest_first(client, published, editor):
    services.review_correct(
        review=published, editor=editor, reason="First fix.", rationale="Second wording."
    )
    services.review_correct(
        review=published, editor=editor, reason="Second fix.", verdict=Verdict.SUPPORTED
    )
    text = page_text(client.get(published.get_absolute_url()))
    assert text.index("Corrected on") < text.index("Updated on")
    assert text.index("Second fix.") < text.index("First fix.")
    earlier = text[text.index("Earlier versions") :]
    assert earlier.index("Second wording.") < earlier.index(FIRST_RATIONALE)


@pytest.mark.django_db
def test_a_verdict_published_once_shows_no_notice_and_no_earlier_versions(client, published):
    text = page_text(client.get(published.get_absolute_url()))
    assert "Corrected on" not in text and "Updated on" not in text
    assert "Earlier versions" not in text
    assert f"Published {day(published.published_at)}." in text


@pytest.mark.django_db
def test_unpublish_revise_and_republish_by_another_editor_is_a_public_correction(
    client, reviewer, editor, second_editor, published
):
    services.review_unpublish(
        review=published, editor=editor, reason="The figure was the autumn call-up."
    )
    assert client.get(published.get_absolute_url()).status_code == 404

    services.review_submit(
        claim=published.claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="The 1,200 were conscripts called up in the autumn, not evacuees.",
        evidence_ids=list(published.claim.evidence.values_list("pk", flat=True)),
    )
    services.review_publish(review=published, editor=second_editor)
    [first, correction] = versions_of(published)
    assert correction.published_by == second_editor

    text = page_text(client.get(published.get_absolute_url()))
    assert (
        f"Corrected on {day(correction.published_at)}: The figure was the autumn call-up." in text
    )
    earlier = text[text.index("Earlier versions") :]
    assert "Misattributed" in earlier and FIRST_RATIONALE in earlier
    assert f"First published {day(first.published_at)}." in text

    corrections = page_text(client.get("/corrections/"))
    assert "The figure was the autumn call-up." in corrections
    assert "Misattributed → Unsupported" in corrections


@pytest.mark.django_db
def test_the_desk_previews_a_taken_down_verdict_with_its_published_versions(
    client, reviewer, editor, published
):
    services.review_unpublish(review=published, editor=editor, reason="Checking the figure.")
    client.force_login(reviewer)
    response = client.get(published.get_absolute_url())
    text = page_text(response)
    assert "Preview: this verdict is not published (returned to reviewer)" in text
    assert "Earlier versions" in text and FIRST_RATIONALE in text
    assert "application/ld+json" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


# --- /corrections/ ---------------------------------------------------------------------------


def corrected(article, reviewer, editor, *, reason: str, verdict=None):
    """A published verdict on a claim of the article, then corrected (a new verdict) or
    updated (reworded)."""
    claim = make_claim_with_evidence(article=article)
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    return services.review_correct(
        review=review,
        editor=editor,
        reason=reason,
        verdict=verdict,
        rationale=None if verdict else "Reworded.",
    )


@pytest.mark.django_db
def test_the_corrections_page_lists_every_change_newest_first_with_its_reason(
    client, reviewer, editor
):
    updated = corrected(make_article(), reviewer, editor, reason="Clearer wording.")
    fixed = corrected(
        make_article(), reviewer, editor, reason="Wrong figure.", verdict=Verdict.SUPPORTED
    )
    response = client.get("/corrections/")
    text = page_text(response)
    assert text.index("Wrong figure.") < text.index("Clearer wording.")
    fixed_version = fixed.versions.get(number=2)
    assert f"Corrected on {day(fixed_version.published_at)}" in text
    assert "Misattributed → Supported" in text
    assert "Misattributed (verdict unchanged)" in text
    assert fixed.claim.text in text and fixed.claim.article.title in text
    body = response.content.decode()
    assert f'href="{fixed.get_absolute_url()}"' in body
    assert f'href="{updated.get_absolute_url()}"' in body


@pytest.mark.django_db
def test_the_corrections_page_leaves_out_verdicts_taken_down(client, reviewer, editor):
    kept = corrected(make_article(), reviewer, editor, reason="Kept change.")
    withdrawn = corrected(make_article(), reviewer, editor, reason="Withdrawn change.")
    services.review_unpublish(review=withdrawn, editor=editor, reason="Under review again.")
    text = page_text(client.get("/corrections/"))
    assert "Kept change." in text
    assert "Withdrawn change." not in text and withdrawn.claim.article.title not in text
    assert kept.claim.article.title in text


@pytest.mark.django_db
def test_the_corrections_page_lists_no_first_publications(client, published):
    text = page_text(client.get("/corrections/"))
    assert "No published verdict has been corrected or updated yet." in text
    assert published.claim.article.title not in text


@pytest.mark.django_db
def test_the_corrections_page_is_paginated_and_runs_two_queries(
    client, reviewer, editor, monkeypatch
):
    monkeypatch.setattr(views, "CORRECTIONS_PER_PAGE", 2)
    for n in range(3):
        corrected(make_article(), reviewer, editor, reason=f"Change number {n}.")
    # 1 COUNT for the paginator; 2 the page of versions with review, claim and article
    # joined and the verdict each replaced as a subquery. Anonymous: no session queries.
    with CaptureQueriesContext(connection) as ctx:
        first_page = page_text(client.get("/corrections/"))
    assert len(ctx) == 2, [q["sql"] for q in ctx.captured_queries]
    assert "Change number 2." in first_page and "Change number 1." in first_page
    assert "Change number 0." not in first_page and "Page 1 of 2" in first_page
    second_page = page_text(client.get("/corrections/?page=2"))
    assert "Change number 0." in second_page and "Change number 2." not in second_page


@pytest.mark.django_db
def test_every_public_page_links_to_the_corrections(client, published):
    for path in ["/", "/verdicts/", published.get_absolute_url(), "/corrections/"]:
        assert 'href="/corrections/"' in client.get(path).content.decode(), path


@pytest.mark.django_db
def test_a_revised_verdict_shows_its_first_publication_and_revision_in_the_lists(
    client, published, editor
):
    first_at = backdate_first_version(published)
    services.review_correct(review=published, editor=editor, reason="Reworded.", rationale="New.")
    published.refresh_from_db()
    for path in ["/", "/verdicts/"]:
        text = page_text(client.get(path))
        assert f"Published {day(first_at)}, revised {day(published.published_at)}." in text


# --- ClaimReview -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_claimreview_is_dated_by_the_first_publication_and_modified_at_the_latest(
    client, published, editor
):
    first_day = backdate_first_version(published).date().isoformat()
    data = json_ld(client.get(published.get_absolute_url()))
    assert data["datePublished"] == data["dateModified"] == first_day

    services.review_correct(
        review=published, editor=editor, reason="Wrong figure.", verdict=Verdict.SUPPORTED
    )
    latest = versions_of(published)[-1]
    data = json_ld(client.get(published.get_absolute_url()))
    assert data["datePublished"] == first_day
    assert data["dateModified"] == latest.published_at.date().isoformat() != first_day
    assert data["reviewRating"]["alternateName"] == "Supported"


# --- What a verdict cites --------------------------------------------------------------------


def submit_citing_a_source(claim, reviewer, editor, **source_fields) -> tuple:
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    source = services.source_add(
        claim=claim,
        user=reviewer,
        url="https://www.civil-protection.example.gov/reports/geneva",
        title="Evacuation report, Geneva",
        publisher="Civil Protection Agency",
        quote="We moved 800 residents out of the old town.",
        accessed_on=dt.date(2026, 12, 1),
        **source_fields,
    )
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="The agency moved 800 people, not 1,200.",
        evidence_ids=[claim.evidence.first().pk],
        source_ids=[source.pk],
    )
    return services.review_publish(review=review, editor=editor), source


@pytest.mark.django_db
def test_a_reviewers_source_is_shown_with_publisher_access_date_and_archived_copy(
    client, reviewer, editor
):
    claim = make_claim_with_evidence(n_evidence=1)
    archived = "https://web.archive.org/web/20261201/https://www.civil-protection.example.gov/"
    review, source = submit_citing_a_source(claim, reviewer, editor, archived_url=archived)
    response = client.get(review.get_absolute_url())
    body = response.content.decode()
    text = page_text(response)
    assert (
        "“We moved 800 residents out of the old town.” — Evacuation report, Geneva, "
        "Civil Protection Agency, accessed 1 December 2026 (archived copy)"
    ) in text
    assert f'<a href="{source.url}" rel="noopener noreferrer">Evacuation report, Geneva</a>' in body
    assert f'<a href="{archived}" rel="noopener noreferrer">archived copy</a>' in body
    # The machine's evidence is cited beside it, with its Wikipedia revision.
    assert claim.evidence.first().sentence in text and "Text from Wikipedia" in text


@pytest.mark.django_db
def test_a_stored_archived_link_that_is_not_safe_is_shown_as_no_link(client, reviewer, editor):
    claim = make_claim_with_evidence(n_evidence=1)
    review, source = submit_citing_a_source(claim, reviewer, editor)
    # Stored past the service's check (an older import, a hand edit): the database accepts
    # anything that starts with http(s), credentials and quotes included.
    hostile = 'https://user:pw@evil.example/copy"onmouseover="alert(1)'
    Source.objects.filter(pk=source.pk).update(archived_url=hostile, url=hostile)
    response = client.get(review.get_absolute_url())
    body = response.content.decode()
    assert "evil.example" not in body
    assert "archived copy" not in body
    assert "Evacuation report, Geneva" in page_text(response)


@pytest.mark.django_db
def test_evidence_a_reviewer_found_by_search_is_cited_like_any_evidence(client, reviewer, editor):
    claim = make_claim_with_evidence(n_evidence=1)
    page = make_page(
        title="Geneva old town",
        sections=[{"heading": "", "text": "In 2026 some 800 residents were moved out."}],
    )
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    searched = services.evidence_attach(
        claim=claim, user=reviewer, page_id=page.pk, sentence_index=0, query="Geneva residents"
    )
    assert searched.added_by == reviewer
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="800 were moved, not 1,200.",
        evidence_ids=[searched.pk],
    )
    services.review_publish(review=review, editor=editor)
    response = client.get(review.get_absolute_url())
    assert "“In 2026 some 800 residents were moved out.” — Geneva old town" in page_text(response)
    assert f"oldid={page.revision_id}" in response.content.decode()


# --- Who made the claim ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_fullest_name_in_the_article_is_the_claimant(client, reviewer, editor):
    sentence = "Putin announced plans to send 150,000 troops to Syria."
    article = make_article(text=f"Vladimir Putin spoke on Monday. {sentence}")
    at = article.text.index("Putin announced")
    claim = make_claim_with_evidence(
        article=article,
        sentence=sentence,
        claimant="Putin",
        claimant_name="Vladimir Putin",
        claimant_start=at,
        claimant_end=at + 5,
        cue="announced",
    )
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    response = client.get(review.get_absolute_url())
    assert "Attributed to Vladimir Putin (announced)" in page_text(response)
    assert json_ld(response)["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Vladimir Putin",
    }
    assert "Attributed to Vladimir Putin (announced)" in page_text(client.get("/verdicts/"))


@pytest.mark.django_db
def test_the_desks_correction_of_the_claimant_is_what_the_public_sees(client, reviewer, editor):
    text = (
        "The health minister said that 1,200 people were evacuated from the city. "
        "The figure came from the Civil Protection Agency."
    )
    agency = text.index("Civil Protection Agency")
    claim = make_claim_with_evidence(
        article=make_article(text=text),
        entities=[
            {"text": "Civil Protection Agency", "start": agency, "end": agency + 23, "label": "ORG"}
        ],
    )
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.claimant_correct(
        claim=claim, user=reviewer, claimant="the Civil Protection Agency", cue="reported"
    )
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    response = client.get(review.get_absolute_url())
    assert "Attributed to the Civil Protection Agency (reported)" in page_text(response)
    assert "The health minister (said)" not in page_text(response)
    assert json_ld(response)["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "the Civil Protection Agency",
    }
    for path in ["/", "/verdicts/"]:
        assert "Attributed to the Civil Protection Agency (reported)" in page_text(client.get(path))


@pytest.mark.django_db
def test_an_organisation_corrected_to_a_person_is_a_person_in_the_markup(client, reviewer, editor):
    article = make_article(text="The ministry said that 1,200 people were evacuated from the city.")
    claim = make_claim_with_evidence(
        article=article,
        claimant="The ministry",
        claimant_start=0,
        claimant_end=12,
        entities=[{"text": "ministry", "start": 4, "end": 12, "label": "ORG"}],
    )
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.claimant_correct(claim=claim, user=reviewer, claimant="Anna Keller", cue="said")
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]
    assert author == {"@type": "Person", "name": "Anna Keller"}


# --- Dismissed claims ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dismissed_duplicate_is_not_shown_with_the_canonical_verdict(
    client, reviewer, editor, published
):
    pasted = make_article(source_url="", title="A pasted copy of the story")
    duplicate = make_claim(article=pasted, canonical=published.claim)
    assert "The same claim elsewhere" in page_text(client.get(published.get_absolute_url()))
    assert client.get(f"/articles/{pasted.pk}/").status_code == 200

    services.claim_dismiss(claim=duplicate, user=editor, reason="duplicate")
    response = client.get(published.get_absolute_url())
    assert "The same claim elsewhere" not in page_text(response)
    appearances = json_ld(response)["itemReviewed"]["appearance"]
    assert [a["headline"] for a in appearances] == [published.claim.article.title]
    assert client.get(f"/articles/{pasted.pk}/").status_code == 404
