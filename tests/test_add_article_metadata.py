"""The admin's add-article form takes the article's date, byline, outlet and source URL; they
are checked, stored through article_ingest, and the date becomes ClaimReview's claim date."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Article
from tests.factories import make_claim, make_evidence, make_published_review

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:factcheck_article_add")
PASTED = (
    "Evacuation talks in Geneva\n\n"
    "The health minister said that 1,200 people were evacuated from the city. Talks continue."
)
HTML_WITH_METADATA = b"""<html><head><title>Evacuation talks</title>
<meta name="author" content="Dana Document">
<meta property="article:published_time" content="2026-01-05T08:00:00Z">
</head><body><p>The health minister said that 1,200 people were evacuated from the city.</p>
</body></html>"""


def test_the_form_offers_the_articles_metadata_with_labels(client, editor):
    client.force_login(editor)
    body = client.get(ADD_URL).content.decode()
    for name, label in [
        ("published_on", "Date published"),
        ("byline", "Byline"),
        ("outlet", "Outlet"),
        ("source_url", "Source URL"),
    ]:
        assert f'<label for="id_{name}">{label}:</label>' in body, name
    assert 'type="date" name="published_on"' in body


def test_the_metadata_typed_in_is_stored_and_dates_the_claim_in_claimreview(
    client, editor, reviewer, settings
):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org"
    client.force_login(editor)
    client.post(
        ADD_URL,
        {
            "pasted_text": PASTED,
            "published_on": "2026-02-03",
            "byline": "  Ana   Reporter ",
            "outlet": "Example Times",
            "source_url": "news.example.org/evacuation",
        },
    )
    article = Article.objects.get()
    assert (article.published_on, article.byline, article.outlet, article.source_url) == (
        dt.date(2026, 2, 3),
        "Ana Reporter",
        "Example Times",
        "https://news.example.org/evacuation",
    )

    claim = make_claim(article=article)
    make_evidence(claim=claim)
    client.logout()
    review = make_published_review(claim=claim, reviewer=reviewer, editor=editor)
    body = client.get(review.get_absolute_url()).content.decode()
    [markup] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    item = json.loads(markup)["itemReviewed"]
    assert item["datePublished"] == "2026-02-03"
    assert item["appearance"][0]["datePublished"] == "2026-02-03"


def test_what_the_editor_types_replaces_what_the_document_says(client, editor):
    client.force_login(editor)
    client.post(
        ADD_URL,
        {
            "file": SimpleUploadedFile("story.html", HTML_WITH_METADATA),
            "byline": "Edith Editor",
            "published_on": "2026-01-06",
        },
    )
    article = Article.objects.get()
    assert (article.byline, article.published_on) == ("Edith Editor", dt.date(2026, 1, 6))


def test_what_the_document_says_is_kept_when_the_fields_are_left_empty(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, {"file": SimpleUploadedFile("story.html", HTML_WITH_METADATA)})
    article = Article.objects.get()
    assert (article.byline, article.published_on) == ("Dana Document", dt.date(2026, 1, 5))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"published_on": "2026-02-30"}, "Enter a valid date."),
        ({"published_on": "next tuesday"}, "Enter a valid date."),
        ({"published_on": "1799-12-31"}, "The date is before 1800; check the year."),
        ({"byline": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"outlet": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"byline": "Ana\x00Reporter"}, "Null characters are not allowed."),
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_metadata_that_cannot_be_right_is_refused_at_its_field(client, editor, fields, message):
    client.force_login(editor)
    response = client.post(ADD_URL, {"pasted_text": PASTED, **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_date_in_the_future_is_refused_but_tomorrow_is_allowed(client, editor):
    client.force_login(editor)
    later = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(ADD_URL, {"pasted_text": PASTED, "published_on": later.isoformat()})
    assert "The date is in the future" in response.content.decode()
    assert not Article.objects.exists()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.post(ADD_URL, {"pasted_text": PASTED, "published_on": tomorrow.isoformat()})
    assert Article.objects.get().published_on == tomorrow


def test_control_characters_in_the_byline_are_dropped(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, {"pasted_text": PASTED, "byline": "Ana\x07\tReporter\x1b"})
    assert Article.objects.get().byline == "Ana Reporter"
