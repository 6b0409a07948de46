"""The admin's "add article" form ingests like `manage.py ingest`, and shows the status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factcheck.models import Article
from tests.conftest import SEED_000

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:factcheck_article_add")


def upload(client, name: str, data: bytes, **fields):
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, data), **fields}, follow=True)


def test_an_editor_adds_an_article_from_a_file(client, editor):
    client.force_login(editor)
    response = upload(client, SEED_000.name, SEED_000.read_bytes(), outlet="Example Times")
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:factcheck_article_change", args=[article.pk]
    )
    assert article.outlet == "Example Times"
    assert article.status == Article.Status.QUEUED
    assert b"queued for processing" in response.content


def test_adding_the_same_text_again_stores_nothing_and_says_so(client, editor):
    client.force_login(editor)
    upload(client, SEED_000.name, SEED_000.read_bytes())
    response = upload(client, "copy.txt", SEED_000.read_bytes())
    assert Article.objects.count() == 1
    assert b"already stored" in response.content


def test_a_binary_upload_gets_a_one_line_error_and_stores_nothing(client, editor):
    client.force_login(editor)
    response = upload(client, "photo.txt", b"\x00\x01\x02JFIF" * 100)
    assert response.status_code == 200
    assert b"Not ingested: binary file" in response.content
    assert not Article.objects.exists()


def test_pasted_text_is_ingested_too(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, {"pasted_text": "Headline here today\n\nNATO said Russia crossed."})
    assert Article.objects.get().title == "Headline here today"


def test_a_reviewer_cannot_add_articles(client, reviewer):
    client.force_login(reviewer)
    client.post(ADD_URL, {"pasted_text": "Headline here today\n\nNATO said Russia crossed."})
    assert not Article.objects.exists()


def test_the_article_list_shows_status_and_failure_reason(admin_client):
    Article.objects.create(
        title="Broken", text="Some text", content_hash="x" * 64,
        status=Article.Status.FAILED, error_message="claim extraction failed: model broke",
    )  # fmt: skip
    response = admin_client.get(reverse("admin:factcheck_article_changelist"))
    assert b"Failed" in response.content
    detail = admin_client.get(
        reverse("admin:factcheck_article_change", args=[Article.objects.get().pk])
    )
    assert b"claim extraction failed: model broke" in detail.content
