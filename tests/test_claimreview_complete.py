"""Complete ClaimReview markup (factcheck/claimreview.py, views.claim_review_input): it carries
every field the real records commonly carry, the claimant's sameAs only from a page the store
holds, and every URL from the request's origin or FACTCHECK_PUBLIC_BASE_URL."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from factcheck.claimreview import Appearance, ClaimReviewInput, claim_review
from factcheck.management.commands.claimreview_shape import PATHS, node_at
from factcheck.public_urls import NO_REQUEST_BASE_URL, site_base_url
from reviews import services
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_evidence,
    make_page,
    make_published_review,
)

# The shape of the real ClaimReviews (keys per place, with counts), made by
# manage.py claimreview_shape from the ClaimReview records of the shared datasets folder.
SHAPE = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "claimreview_shape.json").read_text()
)
PUTIN_PAGE = "https://en.wikipedia.org/wiki/Vladimir_Putin"
# Keys we carry at a place where the few real records that have it give only @type and url:
# schema.org's CreativeWork properties, which say which article it was.
EXTRA_APPEARANCE_KEYS = {"headline", "datePublished", "publisher"}


@pytest.fixture(autouse=True)
def origin_from_the_request(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = ""
    settings.FACTCHECK_ORGANIZATION_NAME = "Example Desk"
    settings.FACTCHECK_ORGANIZATION_URL = ""


def json_ld(response) -> dict:
    assert response.status_code == 200
    [found] = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found)


def commonly_carried() -> dict[str, set[str]]:
    """At each place, the keys that at least half of the real records having that place carry
    (a place inside an object counts the records whose object has it)."""
    keys = SHAPE["keys"]
    common = {}
    for place, counts in keys.items():
        parent, _, last = place.rpartition("/")
        having = SHAPE["records"] if not place else keys[parent][last]
        common[place] = {key for key, n in counts.items() if 2 * n >= having}
    return common


def putin_claim(**fields):
    """A claim the article attributes to Putin, whose fullest name it gives."""
    return make_claim_with_evidence(claimant="Putin", claimant_name="Vladimir Putin", **fields)


@pytest.fixture
def published_with_everything(db, reviewer, editor):
    """A verdict on a dated, bylined outlet article, its claimant's page in the store, and a
    repeat in a pasted article (our copy is its address)."""
    claim = putin_claim()
    make_page(title="Vladimir Putin", url=PUTIN_PAGE)
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    make_claim(article=make_article(source_url="", outlet=""), canonical=claim)
    return review


# --- Complete ---------------------------------------------------------------------------------


def test_the_shape_names_the_fields_the_issue_requires_as_common():
    common = commonly_carried()
    assert {"claimReviewed", "reviewRating", "url", "author", "itemReviewed"} <= common[""]
    assert {"author", "datePublished"} <= common["itemReviewed"]
    assert {"name", "url"} <= common["author"]


@pytest.mark.django_db
def test_ours_carries_every_field_the_real_records_commonly_carry(
    client, published_with_everything
):
    ours = json_ld(client.get(published_with_everything.get_absolute_url()))

    for path in PATHS:
        place = "/".join(path)
        node = node_at(ours, path)
        assert isinstance(node, dict), place
        missing = commonly_carried()[place] - set(node)
        assert not missing, f"{place or 'ClaimReview'} lacks {sorted(missing)}"
        # And nothing the real ones never put there, but the appearance's own properties.
        extra = set(node) - set(SHAPE["keys"][place])
        assert extra <= (EXTRA_APPEARANCE_KEYS if place == "itemReviewed/appearance" else set())


@pytest.mark.django_db
def test_ours_carries_what_the_issue_asks_for(client, published_with_everything):
    review = published_with_everything
    review.refresh_from_db()
    ours = json_ld(client.get(review.get_absolute_url()))
    origin = "http://testserver"

    assert ours["url"] == f"{origin}/verdicts/{review.pk}/"
    assert ours["datePublished"] == ours["dateModified"] == review.published_at.date().isoformat()
    assert ours["author"] == {
        "@type": "Organization",
        "name": "Example Desk",
        "@id": f"{origin}/#organization",
        "url": f"{origin}/",
        "sameAs": f"{origin}/",
    }
    assert ours["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 3,
        "worstRating": 1,
        "alternateName": "Misattributed",
    }
    item = ours["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "Vladimir Putin", "sameAs": PUTIN_PAGE}
    assert item["datePublished"] == "2026-11-20"
    article = review.claim.article
    repeat = review.claim.duplicates.get().article
    assert item["appearance"] == [
        {
            "@type": "NewsArticle",
            "url": article.source_url,
            "headline": article.title,
            "datePublished": "2026-11-20",
            "publisher": {"@type": "Organization", "name": "Example Times"},
        },
        {
            "@type": "NewsArticle",
            "url": f"{origin}/articles/{repeat.pk}/",
            "headline": repeat.title,
            "datePublished": "2026-11-20",
        },
    ]


@pytest.mark.django_db
def test_a_correction_moves_date_modified_but_not_date_published(
    client, published_with_everything, editor
):
    from tests.api_helpers import second_editor

    review = published_with_everything
    first = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    review.versions.update(published_at=first)
    services.review_correct(
        review=review, editor=second_editor(), verdict="unsupported", reason="It was 400."
    )
    review.refresh_from_db()

    ours = json_ld(client.get(review.get_absolute_url()))

    assert ours["datePublished"] == "2026-01-05"
    assert ours["dateModified"] == review.published_at.date().isoformat()
    assert ours["reviewRating"]["ratingValue"] == 1
    assert ours["reviewRating"]["alternateName"] == "Unsupported"


# --- sameAs: only a page the store holds -----------------------------------------------------


@pytest.mark.django_db
def test_the_claimant_is_same_as_their_page_among_the_claims_evidence(client, reviewer, editor):
    claim = putin_claim(n_evidence=0)
    make_evidence(claim=claim, page=make_page(title="Vladimir Putin", url=PUTIN_PAGE))
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]

    assert author == {"@type": "Person", "name": "Vladimir Putin", "sameAs": PUTIN_PAGE}


@pytest.mark.django_db
def test_no_page_with_the_claimants_name_means_no_same_as(client, reviewer, editor):
    make_page(title="Vladimir Putin (disambiguation)", url=PUTIN_PAGE + "_(disambiguation)")
    make_page(title="Putin", url="https://en.wikipedia.org/wiki/Putin")
    review = make_published_review(claim=putin_claim(), reviewer=reviewer, editor=editor)

    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]

    assert author == {"@type": "Person", "name": "Vladimir Putin"}


@pytest.mark.django_db
def test_a_disambiguation_page_of_that_title_is_not_the_claimants(client, reviewer, editor):
    make_page(
        title="Vladimir Putin", url=PUTIN_PAGE, description="Topics referred to by the same term"
    )
    review = make_published_review(claim=putin_claim(), reviewer=reviewer, editor=editor)

    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]

    assert "sameAs" not in author


@pytest.mark.django_db
def test_the_bare_words_a_claim_was_found_with_are_never_looked_up(client, reviewer, editor):
    make_page(title="Putin", url="https://en.wikipedia.org/wiki/Putin")
    claim = make_claim_with_evidence(claimant="Putin", claimant_name="")
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    author = json_ld(client.get(review.get_absolute_url()))["itemReviewed"]["author"]

    assert author == {"@type": "Person", "name": "Putin"}


@pytest.mark.django_db
def test_the_desks_corrected_claimant_is_the_name_looked_up_everywhere(client, reviewer, editor):
    make_page(title="Vladimir Putin", url=PUTIN_PAGE)
    assad_page = "https://en.wikipedia.org/wiki/Bashar_al-Assad"
    make_page(title="Bashar al-Assad", url=assad_page)
    claim = putin_claim()
    services.claimant_correct(claim=claim, user=editor, claimant="Bashar al-Assad", cue="said")
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    on_the_page = json_ld(client.get(review.get_absolute_url()))
    in_the_feed = client.get("/claimreview.json").json()["dataFeedElement"][0]
    in_the_api = APIClient().get(f"/api/v1/verdicts/{review.pk}/").json()["claim_review"]

    assert on_the_page["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Bashar al-Assad",
        "sameAs": assad_page,
    }
    # The lists annotate the page in their query; the page looks it up: the same answer.
    assert in_the_feed == in_the_api == on_the_page


def test_a_same_as_that_is_not_a_plain_web_address_is_left_out():
    ours = claim_review(
        ClaimReviewInput(
            review_url="https://checks.example.org/verdicts/1/",
            claim_text="1,200 people were evacuated.",
            verdict="supported",
            date_published=dt.date(2026, 11, 23),
            organization_name="Example Desk",
            claimant="Vladimir Putin",
            claimant_same_as="javascript:alert(1)",
            appearances=(Appearance(url="https://news.example.org/a", headline="Talks"),),
        )
    )
    assert ours["itemReviewed"]["author"] == {"@type": "Person", "name": "Vladimir Putin"}
    assert ours["author"] == {"@type": "Organization", "name": "Example Desk"}


# --- A dismissed repeat is no appearance -----------------------------------------------------


@pytest.mark.django_db
def test_a_repeat_the_desk_dismissed_is_no_appearance_anywhere(client, reviewer, editor):
    claim = make_claim_with_evidence()
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    repeat = make_claim(
        article=make_article(source_url="https://other.example/story"), canonical=claim
    )
    services.claim_dismiss(claim=repeat, user=editor, reason="duplicate")

    on_the_page = json_ld(client.get(review.get_absolute_url()))
    in_the_feed = client.get("/claimreview.json").json()["dataFeedElement"][0]
    in_the_api = APIClient().get(f"/api/v1/verdicts/{review.pk}/").json()["claim_review"]

    for markup in (on_the_page, in_the_feed, in_the_api):
        assert [a["url"] for a in markup["itemReviewed"]["appearance"]] == [
            claim.article.source_url
        ]


# --- URLs from the request -------------------------------------------------------------------


def every_url_in(markup: dict) -> set[str]:
    """The URLs of our own site in a ClaimReview: the review, the organisation, our copy of an
    article."""
    return {
        markup["url"],
        markup["author"]["url"],
        markup["author"]["@id"].removesuffix("#organization"),
        *(a["url"] for a in markup["itemReviewed"]["appearance"] if "/articles/" in a["url"]),
    }


@pytest.mark.django_db
def test_the_markup_names_the_origin_the_page_was_served_on(
    client, published_with_everything, settings
):
    review = published_with_everything
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]

    on_a_port = client.get(review.get_absolute_url(), SERVER_PORT="8123")
    over_https = client.get(review.get_absolute_url(), HTTP_HOST="news.example:8443", secure=True)

    repeat = review.claim.duplicates.get().article
    for response, origin in [
        (on_a_port, "http://testserver:8123"),
        (over_https, "https://news.example:8443"),
    ]:
        assert every_url_in(json_ld(response)) == {
            f"{origin}/verdicts/{review.pk}/",
            f"{origin}/",
            f"{origin}/articles/{repeat.pk}/",
        }


@pytest.mark.django_db
def test_the_configured_origin_wins_over_the_requests(client, published_with_everything, settings):
    review = published_with_everything
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org/"

    markup = json_ld(client.get(review.get_absolute_url(), SERVER_PORT="8123"))

    assert {url.split("/")[2] for url in every_url_in(markup)} == {"checks.example.org"}
    assert markup["url"] == f"https://checks.example.org/verdicts/{review.pk}/"


@pytest.mark.django_db
def test_the_api_names_the_origin_it_was_called_on(published_with_everything, settings):
    review = published_with_everything
    settings.ALLOWED_HOSTS = ["news.example"]
    repeat = review.claim.duplicates.get().article

    body = (
        APIClient()
        .get(f"/api/v1/verdicts/{review.pk}/", HTTP_HOST="news.example:8443", secure=True)
        .json()
    )

    assert body["url"] == f"https://news.example:8443/verdicts/{review.pk}/"
    assert every_url_in(body["claim_review"]) == {
        f"https://news.example:8443/verdicts/{review.pk}/",
        "https://news.example:8443/",
        f"https://news.example:8443/articles/{repeat.pk}/",
    }


@pytest.mark.django_db
def test_a_pasted_articles_link_on_the_verdict_page_is_on_the_requests_origin(
    client, reviewer, editor
):
    claim = make_claim_with_evidence(article=make_article(source_url=""))
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)

    body = client.get(review.get_absolute_url(), SERVER_PORT="8123").content.decode()

    assert f'href="http://testserver:8123/articles/{claim.article_id}/"' in body


def test_without_a_request_the_setting_or_the_local_server_is_the_origin(settings):
    assert site_base_url(None) == NO_REQUEST_BASE_URL == "http://127.0.0.1:8000"
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org/"
    assert site_base_url(None) == "https://checks.example.org"
