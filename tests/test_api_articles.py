"""Articles through the REST API (factcheck/api.py): editors send them in, the desk reads their
progress; every input the API cannot use is a 400 with a one-line reason."""

import pytest
from rest_framework.test import APIClient

from factcheck.models import Article
from reviews import services
from reviews.models import AuditEntry
from tests.api_helpers import API, outsider_client, token_client
from tests.conftest import SEED_000
from tests.factories import make_article, make_claim

pytestmark = pytest.mark.django_db

ARTICLE = {
    "title": "Evacuations in Geneva",
    "text": "Officials met on Monday.\n\nThe minister said 1,200 people were evacuated.",
    "url": "https://news.example.org/geneva",
    "outlet": "Example Times",
    "byline": "A. Writer",
    "published_on": "2026-11-20",
}


def test_an_editor_adds_an_article_once_and_it_is_queued_once(
    editor, django_capture_on_commit_callbacks
):
    client = token_client(editor)
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(f"{API}/articles/", ARTICLE)
    with django_capture_on_commit_callbacks() as queued_again:
        again = client.post(f"{API}/articles/", {**ARTICLE, "title": "Same text, new title"})

    article = Article.objects.get()
    assert first.status_code == 201 and first.json() == {"id": article.pk, "status": "queued"}
    assert again.status_code == 200 and again.json() == {"id": article.pk, "status": "queued"}
    assert len(queued) == 1 and len(queued_again) == 0
    assert (article.title, article.source_url, article.outlet, article.byline) == (
        "Evacuations in Geneva",
        "https://news.example.org/geneva",
        "Example Times",
        "A. Writer",
    )
    assert article.published_on.isoformat() == "2026-11-20"
    entry = AuditEntry.objects.get(action="article_ingested")
    assert (entry.actor, entry.article_id) == (editor, article.pk)


def test_the_same_text_with_other_line_endings_is_the_same_article(editor):
    client = token_client(editor)
    first = client.post(f"{API}/articles/", ARTICLE)
    windows = client.post(
        f"{API}/articles/", {**ARTICLE, "text": ARTICLE["text"].replace("\n", "\r\n")}
    )
    assert windows.status_code == 200 and windows.json()["id"] == first.json()["id"]


def test_reviewers_may_not_add_articles(reviewer):
    response = token_client(reviewer).post(f"{API}/articles/", ARTICLE)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only editors may add articles")
    assert not Article.objects.exists()


def test_anonymous_callers_may_not_add_articles():
    response = APIClient().post(f"{API}/articles/", ARTICLE)
    assert response.status_code == 401
    assert not Article.objects.exists()


def test_a_url_alone_on_a_private_host_is_refused(editor):
    response = token_client(editor).post(f"{API}/articles/", {"url": "http://localhost:1/"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "fetch refused: localhost (127.0.0.1) is a loopback address"
    }


@pytest.mark.parametrize(
    "change, detail",
    [
        ({"title": None}, "title: This field may not be null."),
        ({"text": "   \n  "}, "no text: an article needs its text"),
        ({"title": "x" * 501}, "title: Ensure this field has no more than 500 characters."),
        ({"url": "javascript:alert(1)"}, "source URL refused: only http and https links"),
        ({"url": "https://user:pw@news.example.org/"}, "source URL refused: links with a user"),
        ({"text": "Nul \x00 byte"}, "text: Null characters are not allowed."),
        ({"published_on": "last Tuesday"}, "published_on: Date has wrong format."),
        ({"outlet": ["Example Times"]}, "outlet: Not a valid string."),
    ],
)
def test_an_article_the_api_cannot_use_is_a_bad_request(editor, change, detail):
    response = token_client(editor).post(f"{API}/articles/", {**ARTICLE, **change})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not Article.objects.exists()


def test_a_missing_title_or_text_is_named(editor):
    client = token_client(editor)
    no_title = client.post(f"{API}/articles/", {"text": ARTICLE["text"]})
    no_text = client.post(f"{API}/articles/", {"title": "Headline"})
    assert no_title.json()["detail"] == "title: This field is required."
    assert no_text.json()["detail"] == "text: This field is required."
    assert no_title.status_code == no_text.status_code == 400


def test_text_over_the_ingest_limit_is_refused(editor, settings):
    settings.INGEST_MAX_BYTES = 100
    response = token_client(editor).post(f"{API}/articles/", {**ARTICLE, "text": "word " * 40})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "text: the text is 200 bytes, over the 100-byte limit (INGEST_MAX_BYTES)"
    )


def test_a_seed_article_goes_in_as_the_upload_would_store_it(editor):
    text = SEED_000.read_text(encoding="utf-8")
    response = token_client(editor).post(f"{API}/articles/", {"title": "Seed", "text": text})
    assert response.status_code == 201
    assert Article.objects.get().text == text.strip()


def test_the_article_shows_its_status_and_how_many_claims_are_in_each_state(
    reviewer, second_reviewer, editor
):
    article = make_article(
        text="A. B. C. D. E. F. G.",
        status=Article.Status.FAILED,
        error_message="claim extraction failed: model broke",
    )
    claims = [make_claim(article=article, sentence=letter) for letter in "ABCDEF"]
    _unassigned, assigned, submitted, returned, published, dismissed = claims
    services.review_assign(claim=assigned, assignee=second_reviewer, assigned_by=editor)
    for claim in (submitted, returned, published):
        services.source_add(
            claim=claim, user=editor, url="https://example.org/", title="T", quote="Q"
        )
        services.review_submit(
            claim=claim,
            reviewer=reviewer,
            verdict="supported",
            rationale="Holds.",
            source_ids=list(claim.sources.values_list("pk", flat=True)),
        )
    services.review_return(review=returned.review, editor=editor, note="More.")
    services.review_publish(review=published.review, editor=editor)
    services.claim_dismiss(claim=dismissed, user=reviewer, reason="not_checkable")

    response = token_client(reviewer).get(f"{API}/articles/{article.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_label"], body["error"]) == (
        "failed",
        "Failed",
        "claim extraction failed: model broke",
    )
    assert body["claims"] == {
        "total": 6,
        "unassigned": 1,
        "assigned": 1,
        "submitted": 1,
        "returned": 1,
        "published": 1,
        "dismissed": 1,
    }


def test_articles_are_for_the_desk_only(outsider):
    url = f"{API}/articles/{make_article().pk}/"
    assert APIClient().get(url).status_code == 401
    assert outsider_client(outsider).get(url).status_code == 403


def test_an_unknown_article_is_not_found(editor):
    response = token_client(editor).get(f"{API}/articles/999999/")
    assert response.status_code == 404
