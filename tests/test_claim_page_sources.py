"""Sources beyond the machine on the claim page: a reviewer's own sources, and the search box
whose sentences can be attached as evidence. EVIDENCE_SOURCE is the offline corpus."""

import datetime as dt
import html
from urllib.parse import quote_plus

import pytest
from django.utils import timezone

from factcheck.models import Evidence
from reviews import services
from reviews.models import AuditEntry, Source
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

SOURCE = {
    "source-url": "https://gov.example.org/census-2026.pdf",
    "source-title": "Census 2026, table 4",
    "source-publisher": "Statistics Office",
    "source-quote": "1,200 residents were moved out of the city centre.",
    "source-accessed_on": "2026-11-30",
    "source-archived_url": "https://web.archive.org/web/2026/https://gov.example.org/census",
    "_add_source": "Add the source",
}
WORDS = "Russian servicemen Syria"


def claim_url(claim) -> str:
    return f"/admin/reviews/queueclaim/{claim.pk}/change/"


def body(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def corpus_source(settings):
    settings.EVIDENCE_SOURCE = "corpus"


@pytest.fixture
def taken_claim(reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    return claim


# --- Own sources -----------------------------------------------------------------------------


def test_the_reviewer_adds_a_source_of_their_own(client, reviewer, taken_claim):
    client.force_login(reviewer)
    form = client.get(claim_url(taken_claim)).context["source_form"]
    assert form["accessed_on"].value() == timezone.localdate()  # today unless told otherwise

    response = client.post(claim_url(taken_claim), SOURCE, follow=True)
    assert "Source added" in body(response)
    source = Source.objects.get(claim=taken_claim)
    assert (source.url, source.title, source.publisher, source.accessed_on, source.added_by) == (
        "https://gov.example.org/census-2026.pdf",
        "Census 2026, table 4",
        "Statistics Office",
        dt.date(2026, 11, 30),
        reviewer,
    )
    assert source.archived_url.startswith("https://web.archive.org/")
    page = body(response)
    assert "“1,200 residents were moved out of the city centre.”" in page
    assert 'href="https://gov.example.org/census-2026.pdf"' in page and "Archived copy" in page
    # It can be cited at once.
    assert f'name="cited_sources" value="{source.pk}"' in page
    entry = AuditEntry.objects.get(claim=taken_claim, action="source_added")
    assert (entry.actor, entry.details["url"]) == (reviewer, source.url)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source-url", "ftp://files.example.org/census.pdf", "Only http and https links"),
        ("source-url", "javascript:alert(1)", "Only http and https links"),
        ("source-url", "census.pdf", "Only http and https links are accepted, got a link"),
        ("source-archived_url", "file:///etc/passwd", "Only http and https links"),
        ("source-quote", "   ", "This field is required."),
    ],
)
def test_a_source_the_desk_cannot_keep_is_refused_on_the_form(
    client, reviewer, taken_claim, field, value, message
):
    client.force_login(reviewer)
    response = client.post(claim_url(taken_claim), {**SOURCE, field: value})
    assert response.status_code == 200
    errors = response.context["source_form"].errors[field.removeprefix("source-")]
    assert any(error.startswith(message) for error in errors), errors
    assert message in body(response)
    assert not Source.objects.exists()


def test_adding_the_same_source_twice_keeps_one(client, reviewer, taken_claim):
    client.force_login(reviewer)
    client.post(claim_url(taken_claim), SOURCE)
    client.post(claim_url(taken_claim), SOURCE)
    assert Source.objects.filter(claim=taken_claim).count() == 1
    assert AuditEntry.objects.filter(claim=taken_claim, action="source_added").count() == 1


def test_someone_elses_claim_takes_no_sources_and_says_whose_it_is(
    client, second_reviewer, taken_claim
):
    client.force_login(second_reviewer)
    assert client.get(claim_url(taken_claim)).context["source_form"] is None
    response = client.post(claim_url(taken_claim), SOURCE, follow=True)
    assert "is assigned to rita_reviewer; only they or an editor may add sources." in body(response)
    assert not Source.objects.exists()


# --- The search box --------------------------------------------------------------------------


def test_the_search_box_shows_corpus_sentences_with_attach_buttons(client, reviewer, taken_claim):
    client.force_login(reviewer)
    response = client.get(claim_url(taken_claim), {"q": WORDS})
    page = body(response)
    hits = [hit for hit, _ in response.context["search_hits"]]
    assert hits and any("servicemen" in hit.sentence for hit in hits)
    assert page.count('value="Attach as evidence"') == len(hits)
    assert hits[0].sentence in page and hits[0].revision_label in page
    assert f'value="{WORDS}"' in page  # the words stay in the box


def test_an_attached_sentence_joins_the_evidence_marked_as_the_reviewers(
    client, reviewer, taken_claim
):
    client.force_login(reviewer)
    hit = next(
        hit
        for hit, _ in client.get(claim_url(taken_claim), {"q": WORDS}).context["search_hits"]
        if "servicemen" in hit.sentence
    )
    attach = {
        "page_id": hit.page_id,
        "sentence_index": hit.sentence_index,
        "q": WORDS,
        "_attach": "Attach as evidence",
    }
    response = client.post(claim_url(taken_claim), attach)
    assert response["Location"] == f"{claim_url(taken_claim)}?q={quote_plus(WORDS)}#search"
    evidence = Evidence.objects.get(claim=taken_claim)
    assert (evidence.sentence, evidence.added_by, evidence.search_query) == (
        hit.sentence,
        reviewer,
        WORDS,
    )

    page = client.get(response["Location"])
    assert f"Added by rita_reviewer from a search for “{WORDS}”" in body(page)
    assert dict((h.sentence_index, attached) for h, attached in page.context["search_hits"])[
        hit.sentence_index
    ]
    assert f'name="cited_evidence" value="{evidence.pk}"' in body(page)

    again = client.post(claim_url(taken_claim), attach, follow=True)
    assert "That sentence was already attached." in body(again)
    assert Evidence.objects.filter(claim=taken_claim).count() == 1
    assert AuditEntry.objects.filter(claim=taken_claim, action="evidence_attached").count() == 1


def test_a_sentence_the_page_does_not_have_is_not_attached(client, reviewer, taken_claim):
    client.force_login(reviewer)
    hit, _ = client.get(claim_url(taken_claim), {"q": WORDS}).context["search_hits"][0]
    response = client.post(
        claim_url(taken_claim),
        {"page_id": hit.page_id, "sentence_index": 999_999, "q": WORDS, "_attach": "1"},
        follow=True,
    )
    assert "has no sentence 999999" in body(response)
    assert not Evidence.objects.exists()


def test_a_reviewer_without_the_claim_can_search_but_not_attach(client, second_reviewer):
    claim = make_claim()
    client.force_login(second_reviewer)
    response = client.get(claim_url(claim), {"q": WORDS})
    assert response.context["search_hits"]
    page = body(response)
    assert 'value="Attach as evidence"' not in page
    assert "take the claim first (Assign to me)" in page


def test_a_failing_wikipedia_is_explained_on_the_page(
    client, reviewer, taken_claim, settings, wikipedia_double
):
    settings.EVIDENCE_SOURCE = "live"
    settings.WIKIPEDIA_API_URL = wikipedia_double.api_url
    settings.WIKIPEDIA_CONTACT = "tests@example.org"
    wikipedia_double.inject("400")
    client.force_login(reviewer)
    response = client.get(claim_url(taken_claim), {"q": WORDS})
    assert response.status_code == 200
    assert response.context["search_hits"] == []
    page = body(response)
    assert "The search could not be run:" in page and "Tell whoever runs the desk." in page
