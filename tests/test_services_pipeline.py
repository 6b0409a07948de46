"""factcheck.services: ingest, extraction and evidence, each run twice, on the real database.

Task functions are called directly (unit tests); the Celery path with a real worker is in
test_end_to_end.py. Evidence comes from the offline corpus source through the same interface
as the live source.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from factcheck import services, tasks
from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.types import EvidenceSourceError
from factcheck.ingestion import read_document
from factcheck.models import Article, Claim, Evidence, ReferencePage, TitleLookup
from tests.conftest import CORPUS_PATH, SEED_000

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus_source():
    return CorpusSource([CORPUS_PATH])


def ingest_seed_000() -> Article:
    draft = read_document(SEED_000.read_bytes(), filename=SEED_000.name, max_bytes=10**6)
    return services.article_ingest(draft=draft).article


def extracted_seed_000() -> Article:
    article = ingest_seed_000()
    services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    return article


class FailingSource:
    """Our own EvidenceSource protocol, failing the way the live source reports a 429."""

    name = "failing"

    def search(self, query, *, limit=5):
        raise EvidenceSourceError("Wikipedia answered 429", transient=True, retry_after=120)

    def fetch_pages(self, titles):
        raise EvidenceSourceError("Wikipedia answered 429", transient=True, retry_after=120)


def test_ingesting_the_same_text_twice_keeps_one_article_and_queues_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = ingest_seed_000()
    with django_capture_on_commit_callbacks() as callbacks_again:
        second = ingest_seed_000()
    assert first.pk == second.pk
    assert Article.objects.count() == 1
    assert len(callbacks) == 1 and len(callbacks_again) == 0
    assert first.audit_entries.filter(action="article_ingested").count() == 1


def test_the_ingest_command_reports_bad_files_and_ingests_the_rest(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x00\x01\x02\x03PNG" * 50)
    good = tmp_path / "good.txt"
    good.write_bytes(SEED_000.read_bytes())
    again = tmp_path / "again.txt"
    again.write_bytes(SEED_000.read_bytes())

    with pytest.raises(CommandError, match="2 of 4 file"):
        call_command("ingest", str(tmp_path / "empty.txt"), str(tmp_path / "image.txt"),
                     str(good), str(again))  # fmt: skip
    out, err = capsys.readouterr()
    assert f"error: {tmp_path / 'empty.txt'}: empty file" in err
    assert f"error: {tmp_path / 'image.txt'}: binary file" in err
    assert f"ingested: {good}" in out
    assert f"unchanged: {again} is already article" in out
    assert Article.objects.count() == 1


def test_extraction_stores_verbatim_claims_once_and_moves_the_article_on():
    article = ingest_seed_000()
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        stored = services.article_extract_claims(article_id=article.pk)
        stored_again = services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert stored >= 5 and stored_again == 0
    assert article.status == Article.Status.GATHERING
    for claim in article.claims.all():
        assert article.text[claim.start : claim.end] == claim.text
    troops = article.claims.get(text__contains="150,000 troops")
    assert troops.claimant.endswith("Putin") and troops.cue == "announced"


def test_a_failed_extraction_marks_the_article_failed_with_its_reason():
    article = ingest_seed_000()
    with mock.patch.object(services, "extract_claims", side_effect=RuntimeError("model broke")):
        with pytest.raises(RuntimeError):
            services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert article.error_message == "claim extraction failed: model broke"


def test_evidence_is_attached_from_the_corpus_and_a_rerun_duplicates_nothing(corpus_source):
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        article = extracted_seed_000()
    troops = article.claims.get(text__contains="150,000 troops")

    status = services.claim_gather_evidence(claim_id=troops.pk, source=corpus_source)
    assert status == Claim.EvidenceStatus.ATTACHED
    rows = list(troops.evidence.values_list("page_id", "sentence_index"))
    assert 1 <= len(rows) <= 5
    assert {e.page.snapshot_date.isoformat() for e in troops.evidence.all()} == {"2023-06-16"}

    # A retry after the work was reset (as the sweep does) rewrites the same rows.
    Claim.objects.filter(pk=troops.pk).update(evidence_status=Claim.EvidenceStatus.PENDING)
    pages_before = ReferencePage.objects.count()
    services.claim_gather_evidence(claim_id=troops.pk, source=corpus_source)
    assert sorted(troops.evidence.values_list("page_id", "sentence_index")) == sorted(rows)
    assert ReferencePage.objects.count() == pages_before


def test_a_transient_source_failure_leaves_the_claim_unavailable_with_a_retry_time():
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        article = extracted_seed_000()
    claim = article.claims.get(text__contains="150,000 troops")

    status = services.claim_gather_evidence(claim_id=claim.pk, source=FailingSource())
    claim.refresh_from_db()
    assert status == Claim.EvidenceStatus.UNAVAILABLE
    assert claim.evidence_error.startswith("evidence unavailable, retry scheduled: ")
    assert "429" in claim.evidence_error
    assert (claim.evidence_retry_at - timezone.now()).total_seconds() > 100
    assert not claim.evidence.exists()


def test_the_sweep_requeues_claims_whose_retry_time_has_come(corpus_source):
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        article = extracted_seed_000()
    claim = article.claims.get(text__contains="150,000 troops")
    services.claim_gather_evidence(claim_id=claim.pk, source=FailingSource())

    with mock.patch.object(tasks.fetch_article_pages, "delay") as queued:
        services.sweep_stuck_work()
        assert article.pk not in [c.args[0] for c in queued.call_args_list]
        services.sweep_stuck_work(now=timezone.now() + timedelta(hours=1))
        assert article.pk in [c.args[0] for c in queued.call_args_list]

    assert services.claim_gather_evidence(claim_id=claim.pk, source=corpus_source) == "attached"


def test_missing_pages_are_remembered_so_a_second_lookup_asks_nothing(corpus_source):
    found = services.pages_resolve(
        titles=["Russian military intervention in the Syrian civil war", "Spetsnaz"],
        source=corpus_source,
    )
    assert list(found) == ["Russian military intervention in the Syrian civil war"]
    assert TitleLookup.objects.get(requested_title="Spetsnaz").page is None
    with mock.patch.object(corpus_source, "fetch_pages") as fetch:
        services.pages_resolve(titles=["Spetsnaz"], source=corpus_source)
    fetch.assert_not_called()


def test_the_article_is_ready_once_every_claim_has_had_its_evidence_run(corpus_source):
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        article = extracted_seed_000()
    for claim in article.claims.all():
        services.claim_gather_evidence(claim_id=claim.pk, source=corpus_source)
    article.refresh_from_db()
    assert article.status == Article.Status.READY
    assert not Evidence.objects.filter(claim__article=article, rank__gt=5).exists()
