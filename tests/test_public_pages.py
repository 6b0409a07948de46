"""Public verdict pages: anyone may read published verdicts; their ClaimReview markup is sound."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.claimreview import (
    Appearance,
    ClaimReviewInput,
    claim_review,
    json_ld_script_body,
)
from reviews import services
from reviews.models import Verdict
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_evidence,
    make_published_review,
)

# The shape (keys per place, rating scales) of 61 real ClaimReviews from about 25 outlets; the
# records themselves may not be republished. Made by manage.py claimreview_shape.
CLAIMREVIEW_SHAPE = Path(__file__).resolve().parent / "fixtures" / "claimreview_shape.json"
BASE = "https://checks.example.org"


@pytest.fixture(autouse=True)
def public_settings(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = BASE + "/"
    settings.FACTCHECK_ORGANIZATION_NAME = "Example Desk"
    settings.FACTCHECK_ORGANIZATION_URL = "https://desk.example.org/"


def json_ld(response) -> dict:
    found = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(found) == 1
    return json.loads(found[0])


@pytest.fixture
def published(db, reviewer, editor):
    claim = make_claim_with_evidence(n_evidence=2)
    return make_published_review(claim=claim, reviewer=reviewer, editor=editor)


# --- The list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_published_verdicts_only(client, reviewer, editor, published):
    draft = make_claim()
    services.review_submit(
        claim=draft, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Yes."
    )
    body = client.get("/verdicts/").content.decode()
    assert published.get_absolute_url() in body
    assert "Misattributed" in body
    assert f"/verdicts/{draft.review.pk}/" not in body


@pytest.mark.django_db
def test_the_list_runs_two_queries_however_many_verdicts(client, reviewer, editor):
    def publish(n):
        for _ in range(n):
            make_published_review(
                claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
            )

    publish(2)
    # 1 COUNT for the paginator, 2 the page of reviews with claim and article joined.
    # Anonymous: no session or user queries.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/verdicts/").status_code == 200
    assert len(ctx) == 2, [q["sql"] for q in ctx.captured_queries]
    publish(6)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/verdicts/")
    assert len(ctx) == 2


@pytest.mark.django_db
def test_the_home_page_lists_the_latest_verdicts(client, published):
    # 1 the five latest reviews with claim and article joined.
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/").content.decode()
    assert len(ctx) == 1, [q["sql"] for q in ctx.captured_queries]
    assert published.get_absolute_url() in body


# --- The verdict page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_anyone_reads_a_published_verdict(client, published):
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    claim = published.claim
    assert "The health minister said that <mark>1,200 people were evacuated" in body
    assert "Attributed to The health minister" in body
    assert "Misattributed" in body
    assert published.rationale in body
    for evidence in published.cited_evidence.select_related("page"):
        assert f"oldid={evidence.page.revision_id}" in body
        assert evidence.sentence in body
    assert "Text from Wikipedia" in body and "CC BY-SA 4.0" in body
    assert f'href="{claim.article.source_url}"' in body


@pytest.mark.django_db
def test_a_claim_in_the_articles_own_voice_is_attributed_to_the_article(client, reviewer, editor):
    article = make_article(text="Officials met. Exactly 1,200 people were evacuated from the city.")
    claim = make_claim(article=article)
    make_evidence(claim=claim)
    assert claim.claimant == ""
    review = make_published_review(
        claim=claim, reviewer=reviewer, editor=editor, verdict="supported"
    )
    response = client.get(review.get_absolute_url())
    assert "Attributed to the article itself" in response.content.decode()
    assert json_ld(response)["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Example Times",
    }


@pytest.mark.django_db
def test_an_unpublished_verdict_is_not_found_for_visitors(client, reviewer, editor, published):
    draft = make_claim()
    review = services.review_submit(
        claim=draft, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Yes."
    )
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.get("/verdicts/999999/").status_code == 404
    services.review_unpublish(review=published, editor=editor, reason="The figure was misread.")
    assert client.get(published.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_desk_previews_an_unpublished_verdict_without_markup(client, reviewer):
    review = services.review_submit(
        claim=make_claim(), reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Yes."
    )
    client.force_login(reviewer)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview: this verdict is not published" in body
    assert "application/ld+json" not in body
    assert 'content="noindex' in body


def add_sources(claim, user, n):
    return [
        services.source_add(
            claim=claim,
            user=user,
            url=f"https://www.example.gov/report-{i}",
            title=f"Evacuation report {i}",
            publisher="Civil Protection Agency",
            quote=f"We moved 800 residents (table {i}).",
            archived_url=f"https://web.archive.org/web/2026/https://www.example.gov/report-{i}",
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_the_verdict_page_runs_a_fixed_number_of_queries_however_many_citations(
    client, reviewer, editor
):
    claim = make_claim_with_evidence(n_evidence=5)
    make_claim(canonical=claim)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    sources = add_sources(claim, reviewer, 5)
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="No source says so.",
        evidence_ids=[claim.evidence.first().pk],
    )
    services.review_publish(review=review, editor=editor)

    # 1 review with claim, article, reviewer and publisher; 2 cited evidence with pages;
    # 3 duplicates with their articles; 4 cited sources; 5 published versions; 6 the claimant
    # correction; 7 and 8 the duplicates' own reviews and claimant corrections.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(review.get_absolute_url()).status_code == 200
    assert len(ctx) == 8, [q["sql"] for q in ctx.captured_queries]

    services.review_correct(
        review=review,
        editor=editor,
        reason="We add the agency's reports.",
        evidence_ids=[e.pk for e in claim.evidence.all()],
        source_ids=[s.pk for s in sources],
    )
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(review.get_absolute_url()).content.decode()
    assert len(ctx) == 8, [q["sql"] for q in ctx.captured_queries]
    assert body.count("Evacuation report") == 5 and body.count("(sentence") == 5 + 1


# --- ClaimReview markup ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_verdict_page_carries_claimreview_markup(client, published):
    data = json_ld(client.get(published.get_absolute_url()))
    claim = published.claim
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == claim.text
    assert data["url"] == f"{BASE}/verdicts/{published.pk}/"
    assert data["datePublished"] == published.published_at.date().isoformat()
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 3,
        "worstRating": 1,
        "alternateName": "Misattributed",
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "The health minister"}
    assert item["datePublished"] == "2026-11-20"
    assert item["appearance"] == [
        {
            "@type": "NewsArticle",
            "url": claim.article.source_url,
            "headline": claim.article.title,
            "datePublished": "2026-11-20",
            "publisher": {"@type": "Organization", "name": "Example Times"},
        }
    ]
    assert data["author"] == {
        "@type": "Organization",
        "@id": "https://desk.example.org/#organization",
        "name": "Example Desk",
        "url": "https://desk.example.org/",
        "sameAs": "https://desk.example.org/",
    }


@pytest.mark.django_db
def test_a_claimant_recognised_as_an_organisation_is_one_in_the_markup(client, reviewer, editor):
    article = make_article(text="The ministry said that 1,200 people were evacuated from the city.")
    claim = make_claim(
        article=article,
        claimant="The ministry",
        claimant_start=0,
        claimant_end=12,
        entities=[{"text": "ministry", "start": 4, "end": 12, "label": "ORG", "name": "Ministry"}],
    )
    make_evidence(claim=claim)
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]
    assert author == {"@type": "Organization", "name": "The ministry"}


@pytest.mark.django_db
def test_a_duplicate_claims_article_is_another_appearance_of_the_canonical_verdict(
    client, reviewer, editor
):
    canonical = make_claim_with_evidence()
    review = make_published_review(claim=canonical, reviewer=reviewer, editor=editor)
    pasted = make_article(source_url="")
    duplicate = make_claim(article=pasted, canonical=canonical)

    response = client.get(review.get_absolute_url())
    urls = [a["url"] for a in json_ld(response)["itemReviewed"]["appearance"]]
    assert urls == [canonical.article.source_url, f"{BASE}/articles/{pasted.pk}/"]
    assert "The same claim elsewhere" in response.content.decode()

    # The duplicate's article page shows the canonical verdict, and the stored text:
    # 1 the article, 2 its claims with their own and their canonical claim's review.
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/articles/{pasted.pk}/")
    assert len(ctx) == 2, [q["sql"] for q in ctx.captured_queries]
    assert page.status_code == 200
    body = page.content.decode()
    assert review.get_absolute_url() in body
    assert duplicate.text in body and "Misattributed" in body


@pytest.mark.django_db
def test_an_article_without_published_verdicts_has_no_public_page(client, reviewer):
    claim = make_claim()
    services.review_submit(
        claim=claim, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Yes."
    )
    assert client.get(f"/articles/{claim.article_id}/").status_code == 404


@pytest.mark.django_db
def test_a_claim_text_cannot_break_out_of_the_script_tag(client, reviewer, editor):
    sentence = "</script><script>alert(1)</script><!-- 5 & 6"
    article = make_article(text=f"He wrote: {sentence} Then he left.")
    claim = make_claim(article=article, sentence=sentence)
    make_evidence(claim=claim)
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    response = client.get(review.get_absolute_url())
    body = response.content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    assert "<" not in script and ">" not in script
    assert json.loads(script)["claimReviewed"] == sentence
    assert "<script>alert(1)" not in body


def test_the_markup_has_the_shape_of_real_claimreviews():
    """Every key we publish is one real publishers use, at the same place and with the same
    kind of value (records.jsonl: 63 ClaimReviews from about 25 outlets)."""
    shape = json.loads(CLAIMREVIEW_SHAPE.read_text())
    assert shape["records"] > 40

    def keys_at(path):
        return set(shape["keys"]["/".join(path)])

    ours = claim_review(
        ClaimReviewInput(
            review_url="https://checks.example.org/verdicts/1/",
            claim_text="1,200 people were evacuated.",
            verdict="unsupported",
            date_published=dt.date(2026, 11, 23),
            organization_name="Example Desk",
            organization_url="https://desk.example.org/",
            claimant="The health minister",
            appearances=(
                Appearance(url="https://news.example.org/a", headline="Evacuation talks"),
            ),
            claim_date=dt.date(2026, 11, 20),
        )
    )
    paths = [
        (),
        ("reviewRating",),
        ("itemReviewed",),
        ("author",),
        ("itemReviewed", "author"),
        ("itemReviewed", "appearance"),
    ]
    for path in paths:
        node = ours
        for step in path:
            node = node[step]
            node = node[0] if isinstance(node, list) else node
        # headline: schema.org's name for an article's title; the real ones give only a url.
        assert set(node) <= keys_at(path) | {"headline"}, path
    # Required by Google's ClaimReview guidelines, and present in the real ones.
    assert {"claimReviewed", "reviewRating", "url", "author", "itemReviewed"} <= set(ours)
    assert {"@type", "alternateName"} <= set(ours["reviewRating"])
    real_scales = {tuple(scale) for scale in shape["rating_scales"]}
    assert ("1", "5") in real_scales  # numbers are compared within the published scale
    rating = ours["reviewRating"]
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def test_the_script_body_escapes_markup_characters():
    body = json_ld_script_body({"claimReviewed": "a</script>b<!--c&d"})
    assert "</" not in body and "<!--" not in body and "&" not in body
    assert json.loads(body) == {"claimReviewed": "a</script>b<!--c&d"}


def test_an_unknown_verdict_or_a_relative_url_is_refused():
    base = dict(claim_text="x", date_published=dt.date(2026, 1, 1), organization_name="Desk")
    with pytest.raises(ValueError, match="No rating"):
        claim_review(ClaimReviewInput(review_url="https://a.example/1/", verdict="pants", **base))
    with pytest.raises(ValueError, match="absolute"):
        claim_review(ClaimReviewInput(review_url="/verdicts/1/", verdict="supported", **base))
