"""Fairness with a real worker on Redis and PostgreSQL: a huge article is extracted a chunk per
task, each next chunk queued behind whatever arrived meanwhile, so a small article queued
after it is Ready long before the huge one is done (issue 9, "inputs that cannot flood the
queue"). One worker process (--concurrency 1) makes the order of the queue the only thing that
decides who goes first.
"""

import random

import pytest

from factcheck import services
from factcheck.ingestion import read_document
from factcheck.models import Article
from tests.worker import (
    flush_broker,
    require_production_services,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECTS = ["The council", "The ministry", "The regional government", "The city", "The agency"]
VERBS = ["spent", "approved", "promised", "borrowed", "set aside"]
ITEMS = ["road repairs", "new schools", "water pipes", "bus lanes", "hospital beds", "parks"]
SOURCES = [
    "officials said",
    "the report said",
    "according to the budget office",
    "a spokesman said",
]


def huge_article(words: int) -> str:
    """Paragraphs of plausible English news sentences, ``words`` words in all."""
    rng = random.Random(7)
    paragraphs = ["Where the money went: a year of public spending"]
    count = 0
    while count < words:
        sentences = []
        for _ in range(5):
            sentence = (
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} ${rng.randint(2, 900)} million "
                f"on {rng.choice(ITEMS)} in {rng.randint(2001, 2024)}, {rng.choice(SOURCES)}."
            )
            sentences.append(sentence)
            count += len(sentence.split())
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


SMALL = (
    "Harbour bridge reopens\n\n"
    "The harbour bridge reopened on Monday after repairs that cost $12 million, the port "
    "authority said.\n\n"
    "About 40,000 vehicles crossed the bridge each day before it closed in March, according "
    "to the city's transport office."
)


def ingest(text: str, name: str) -> Article:
    draft = read_document(text.encode(), filename=name, max_bytes=10**7)
    return services.article_ingest(draft=draft).article


def test_a_small_article_queued_after_a_huge_one_is_ready_first(tmp_path):
    require_production_services()
    flush_broker()
    worker = start_worker(
        data_dir=tmp_path, beat=False, concurrency=1, EXTRACTION_CHUNK_WORDS="1500"
    )
    try:
        huge = ingest(huge_article(32_000), "huge.txt")
        wait_for(
            lambda: Article.objects.filter(pk=huge.pk, status=Article.Status.EXTRACTING).exists(),
            timeout=60,
            what="the huge article's first chunk to start",
            worker=worker,
        )
        small = ingest(SMALL, "small.txt")
        wait_for(
            lambda: (
                Article.objects.get(pk=small.pk).status
                in (Article.Status.READY, Article.Status.FAILED)
            ),
            timeout=90,
            what="the small article to be done",
            worker=worker,
        )
        huge.refresh_from_db()
        small.refresh_from_db()
    finally:
        stop_worker(worker)
    assert small.status == Article.Status.READY, small.error_message
    assert small.claims.exists()
    # The huge article has only had a few turns: it is still being extracted, part of the way.
    assert huge.status in (Article.Status.QUEUED, Article.Status.EXTRACTING)
    assert 0 < huge.extracted_until < len(huge.text) / 2
