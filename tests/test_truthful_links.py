"""A verdict page says its Wikipedia links lead to the exact revisions quoted only when they
do: a page read live has a revision id and links to it; a page of the offline snapshot has
none, says "snapshot of DATE" and links to today's article as such."""

import datetime as dt
import html
import re

import pytest

from factcheck.evidence.corpus import load_corpus_file
from factcheck.services import page_store_upsert
from reviews import services
from reviews.models import Verdict
from tests.conftest import SAMPLES
from tests.factories import make_claim, make_evidence, make_page

LEAD_SUMMARIES = SAMPLES / "wikipedia" / "lead_summaries.jsonl"
EXACT = "The links lead to the exact revisions quoted."


def publish_citing(pages, reviewer, editor):
    claim = make_claim()
    evidence = [make_evidence(claim=claim, page=page, rank=n) for n, page in enumerate(pages, 1)]
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="Both sources agree.",
        evidence_ids=[e.pk for e in evidence],
    )
    return services.review_publish(review=review, editor=editor)


def evidence_items(response) -> list[str]:
    """Each cited sentence's line, as markup with whitespace collapsed."""
    assert response.status_code == 200
    body = response.content.decode()
    lists = re.findall(r'<ul class="evidence">(.*?)</ul>', body, re.S)
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", lists[0], re.S)]


def text_of(response) -> str:
    body = re.sub(r"<script.*?</script>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(body).split())


def snapshot_page(**fields):
    return make_page(revision_id=None, page_id=None, snapshot_date=dt.date(2023, 6, 16), **fields)


@pytest.mark.django_db
def test_a_page_read_live_links_to_the_exact_revision_quoted(client, reviewer, editor):
    page = make_page(title="Geneva", url="https://en.wikipedia.org/wiki/Geneva", source="live")
    response = client.get(publish_citing([page], reviewer, editor).get_absolute_url())
    [item] = evidence_items(response)
    assert (
        f'<a href="https://en.wikipedia.org/w/index.php?title=Geneva&amp;oldid={page.revision_id}"'
        f' rel="noopener noreferrer">Geneva</a>, revision {page.revision_id}'
    ) in item
    assert EXACT in text_of(response)


@pytest.mark.django_db
def test_a_snapshot_page_says_so_and_never_claims_to_be_the_exact_revision(
    client, reviewer, editor
):
    page = snapshot_page(title="Geneva", url="https://en.wikipedia.org/wiki/Geneva")
    response = client.get(publish_citing([page], reviewer, editor).get_absolute_url())
    [item] = evidence_items(response)
    assert "oldid" not in item
    assert (
        "Geneva, snapshot of 16 June 2023 "
        '(<a href="https://en.wikipedia.org/wiki/Geneva" rel="noopener noreferrer">'
        "today's article</a>)"
    ) in item
    text = text_of(response)
    assert "exact revision" not in text
    assert "The quotes come from a dated snapshot of Wikipedia" in text
    assert "the links lead to today's articles, which may have changed since" in text
    assert "CC BY-SA 4.0" in text


@pytest.mark.django_db
def test_a_page_from_the_shipped_offline_corpus_is_a_snapshot_on_the_public_page(
    client, reviewer, editor
):
    [syria] = [p for p in load_corpus_file(LEAD_SUMMARIES) if p.title == "Syria"]
    page = page_store_upsert(snapshot=syria)
    assert page.revision_id is None and page.source == "corpus"
    response = client.get(publish_citing([page], reviewer, editor).get_absolute_url())
    [item] = evidence_items(response)
    assert f"Syria, snapshot of {page.snapshot_date:%-d %B %Y}" in html.unescape(item)
    assert "oldid" not in item and "exact revision" not in text_of(response)


@pytest.mark.django_db
def test_a_mix_says_which_links_are_exact(client, reviewer, editor):
    live = make_page(title="Geneva", source="live")
    snapshot = snapshot_page(title="Lausanne", url="https://en.wikipedia.org/wiki/Lausanne")
    response = client.get(publish_citing([live, snapshot], reviewer, editor).get_absolute_url())
    first, second = evidence_items(response)
    assert f"oldid={live.revision_id}" in first and f"revision {live.revision_id}" in first
    assert "Lausanne, snapshot of 16 June 2023" in second and "oldid" not in second
    text = text_of(response)
    assert EXACT not in text
    assert (
        "A link marked with a revision number leads to the exact revision quoted; a quote from "
        "a snapshot links to today's article, which may have changed since."
    ) in text
