"""An article sent while the broker is unreachable is stored as Queued, and its sender gets an
answer, not a server error: the periodic sweep queues it once the broker is back."""

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from factcheck import services
from factcheck.ingestion import read_document
from factcheck.models import Article
from factcheck.tasks import process_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unreachable_broker_leaves_the_article_queued_for_the_sweep(caplog):
    draft = read_document(
        b"Broker outage\n\nThe minister said 40,000 homes were built last year.",
        filename="outage.txt",
        max_bytes=100_000,
    )
    with mock.patch.object(process_article, "delay", side_effect=OperationalError("refused")):
        outcome = services.article_ingest(draft=draft)

    article = Article.objects.get(pk=outcome.article.pk)
    assert article.status == Article.Status.QUEUED
    assert "the sweep will" in caplog.text
