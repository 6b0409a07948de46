"""/methodology/: what the verdicts mean, how claims are chosen, where evidence comes from and
under which licence, the two-person rule and the corrections policy; linked from every page."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.evidence.corpus import SNAPSHOT_DATE
from reviews.models import Verdict
from tests.factories import make_claim_with_evidence, make_published_review


def as_text(markup: str) -> str:
    """What a reader reads: no tags, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def sections(response) -> dict[str, str]:
    """The text of each <section id="..."> of the page, by id."""
    assert response.status_code == 200
    found = re.findall(r'<section id="([\w-]+)">(.*?)</section>', response.content.decode(), re.S)
    return {name: as_text(markup) for name, markup in found}


@pytest.mark.django_db
def test_the_methodology_page_explains_the_work_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("methodology"))
    assert reverse("methodology") == "/methodology/"
    assert len(ctx) == 0
    parts = sections(response)
    assert list(parts) == ["verdicts", "choosing", "evidence", "two-people", "corrections"]

    verdicts = parts["verdicts"]
    for label in Verdict.labels:
        assert f" {label} " in verdicts, label
    assert "did not say them" in verdicts  # misattributed, in plain words
    assert "does not back the claim" in verdicts  # unsupported

    chosen = parts["choosing"]
    for step in ["Extraction.", "Check-worthiness.", "Triage by people."]:
        assert step in chosen
    assert "high, medium or low" in chosen

    evidence = parts["evidence"]
    assert "exact revision" in evidence
    assert f"snapshot of {SNAPSHOT_DATE:%-d %B %Y}" in evidence
    assert "never present such a link as the exact revision" in evidence
    assert "CC BY-SA 4.0" in evidence

    two_people = parts["two-people"]
    assert "cannot publish their own verdict" in two_people

    corrections = parts["corrections"]
    assert "correction" in corrections and "update" in corrections
    body = response.content.decode()
    assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">' in body
    assert '<a href="/corrections/">corrections page</a>' in body


@pytest.mark.django_db
def test_every_public_page_links_to_the_methodology(client, reviewer, editor):
    review = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    pages = [
        "/",
        "/verdicts/",
        "/verdicts/?q=evacuated",
        review.get_absolute_url(),
        f"/articles/{review.claim.article_id}/",
        "/corrections/",
        "/methodology/",
    ]
    for path in pages:
        body = client.get(path).content.decode()
        footer = body[body.index("<footer>") :]
        assert '<a href="/methodology/">' in footer, path
