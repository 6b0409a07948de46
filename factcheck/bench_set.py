"""The shipped benchmark set of manage.py bench_pipeline (samples/bench/articles.jsonl).

Pure: no ORM. How the set is built from what we may ship (the seed news articles and the
offline Wikipedia corpus), how it is read, and the evidence corpus a run uses: the shipped
one with the set's own pages left out, so an article's evidence is never its own text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from factcheck.evidence.corpus import title_key
from factcheck.ingestion import guess_title, normalise_text

SAMPLES = Path(__file__).resolve().parent / "samples"
BENCH_SET = SAMPLES / "bench" / "articles.jsonl"
SEEDS_DIR = SAMPLES / "articles"
CORPUS = SAMPLES / "wikipedia" / "syria_articles.jsonl"
LEAD_SUMMARIES = SAMPLES / "wikipedia" / "lead_summaries.jsonl"

# A page is a candidate when its title names one event: a battle, an offensive, a siege...
EVENT_TITLE = re.compile(
    r"\b(battle|offensive|campaign|siege|clashes|coup|invasion|airstrike|operation|fall|"
    r"insurgency|uprising|intervention|conflict|incidents|demilitarization|spillover|timeline)\b",
    re.IGNORECASE,
)
# ... or is one of the region's named wars ("war" alone would also take in "War crime",
# "Proxy war" and "Refugees of the Syrian civil war", which are not accounts of events).
REGIONAL_WARS = ("Iraq War", "War in Iraq (2013–2017)", "War against the Islamic State")
# Pages of one event that are lists or rosters rather than narrative.
NOT_NARRATIVE_TITLE = re.compile(r"^(list of|order of battle)\b", re.IGNORECASE)
# Where the seed articles' gold evidence lives (samples/gold/seed_claims.json): never held out,
# so the three real news articles keep their evidence.
SEED_EVIDENCE_PAGES = frozenset(
    {
        "Russian military intervention in the Syrian civil war",
        "Russian involvement in the Syrian civil war",
        "Siege of Deir ez-Zor (2014–2017)",
        "Syrian civil war",
        "Proxy war",
    }
)
# Sections that are not the story of the event: context, rosters, tallies, commentary.
NOT_NARRATIVE_SECTION = re.compile(
    r"\b(background|prelude|order of battle|belligerents?|combatants|forces involved|"
    r"commanders|casualties|reactions?|gallery|analysis|legacy|notes|maps?|list|references|"
    r"see also|bibliography|terminology)\b",
    re.IGNORECASE,
)
EXCERPT_TARGET_WORDS = 1_300  # stop adding paragraphs once the excerpt has this many words
EXCERPT_MAX_WORDS = 1_500  # a paragraph that would go past this is passed over
EXCERPT_MIN_WORDS = 1_150  # a page with less narrative than this gives no excerpt
PARAGRAPH_MIN_WORDS = 15  # shorter "paragraphs" are captions, list items or table debris
EXCERPT_OUTLET = "Wikipedia (excerpt)"


@dataclass(frozen=True)
class BenchArticle:
    """One article of the set, as the JSONL stores it."""

    title: str
    url: str
    text: str

    @property
    def words(self) -> int:
        return count_words(self.text)


def count_words(text: str) -> int:
    """Input words, as every benchmark here counts them: whitespace-separated tokens."""
    return len(text.split())


def build_bench_set(*, seeds_dir: Path = SEEDS_DIR, corpus: Path = CORPUS) -> list[BenchArticle]:
    """The seed news articles (file order), then one news-length excerpt of every corpus page
    about one event (corpus order): whole prose paragraphs of its lead and narrative sections,
    in page order, headed by the page's title. Deterministic: the shipped file is its output.
    """
    articles = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        articles.append(BenchArticle(title=guess_title(normalise_text(text)), url="", text=text))
    for record in read_jsonl(corpus):
        if not is_event_page(record["title"]):
            continue
        paragraphs = excerpt_paragraphs(narrative_paragraphs(record))
        if sum(count_words(p) for p in paragraphs) < EXCERPT_MIN_WORDS:
            continue
        text = "\n\n".join([record["title"], *paragraphs])
        articles.append(BenchArticle(title=record["title"], url=record["url"], text=text))
    return articles


def is_event_page(title: str) -> bool:
    if title in SEED_EVIDENCE_PAGES or NOT_NARRATIVE_TITLE.search(title):
        return False
    return bool(EVENT_TITLE.search(title)) or title in REGIONAL_WARS


def narrative_paragraphs(record: dict) -> list[str]:
    """Prose paragraphs of the lead and of the sections that tell the event, in page order."""
    texts = [record.get("lead") or ""]
    texts += [
        section.get("text") or ""
        for section in record.get("sections") or []
        if not NOT_NARRATIVE_SECTION.search(section.get("heading") or "")
    ]
    return [p.strip() for text in texts for p in text.split("\n\n") if is_prose(p)]


def is_prose(paragraph: str) -> bool:
    paragraph = paragraph.strip()
    return (
        count_words(paragraph) >= PARAGRAPH_MIN_WORDS
        and not paragraph.startswith(("|", "-", "*", "#"))
        and paragraph.endswith((".", '"', ")", "”", "'"))
    )


def excerpt_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    words = 0
    for paragraph in paragraphs:
        if words >= EXCERPT_TARGET_WORDS:
            break
        if words + count_words(paragraph) > EXCERPT_MAX_WORDS:
            continue
        chosen.append(paragraph)
        words += count_words(paragraph)
    return chosen


def write_bench_set(articles: Sequence[BenchArticle], path: Path = BENCH_SET) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(asdict(article), ensure_ascii=False) + "\n")


def load_bench_set(path: Path = BENCH_SET) -> list[BenchArticle]:
    return [BenchArticle(**record) for record in read_jsonl(path)]


def read_jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def held_out_titles(articles: Iterable[BenchArticle]) -> set[str]:
    """The evidence pages a run leaves out: those named like an article of the set (compared
    as the corpus source compares titles: case, accents and dash style ignored)."""
    return {title_key(article.title) for article in articles}


@dataclass(frozen=True)
class EvidenceCorpus:
    """The file a run's workers read evidence from, and how many corpus lines (pages and lead
    summaries) it kept and left out."""

    path: Path
    lines_kept: int
    lines_left_out: int


def write_evidence_corpus(
    out_path: Path,
    *,
    held_out: set[str],
    sources: Sequence[Path] = (CORPUS, LEAD_SUMMARIES),
) -> EvidenceCorpus:
    """One JSONL file with every line of ``sources`` except the pages in ``held_out`` (title
    keys), for EVIDENCE_SOURCE=corpus:<out_path>. Lead summaries are filtered too: a held-out
    page's lead summary is its own text as well."""
    kept = left_out = 0
    with out_path.open("w", encoding="utf-8") as out:
        for source in sources:
            for record in read_jsonl(source):
                if title_key(record["title"]) in held_out:
                    left_out += 1
                    continue
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                kept += 1
    return EvidenceCorpus(path=out_path, lines_kept=kept, lines_left_out=left_out)
