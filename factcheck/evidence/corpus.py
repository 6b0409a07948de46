"""The offline evidence source: Wikipedia articles shipped as JSON lines. Pure: no ORM.

Two line formats are read (see factcheck/samples/wikipedia/SOURCE.md):
- full articles: title, url, short_description, lead, sections [{heading, level, text}]
- lead summaries: title, url, description, lead_summary

The corpus kept no revision ids, so every page is stamped with the snapshot date instead.
Files are parsed once per process (cache keyed by path and modification time).
"""

import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import bm25s
import numpy as np

from factcheck.evidence.text import fold, tokenize
from factcheck.evidence.types import EvidenceSourceError, PageSection, PageSnapshot

# bm25s sets its own logger to DEBUG on import; its per-index chatter is noise here.
logging.getLogger("bm25s").setLevel(logging.WARNING)

SNAPSHOT_DATE = date(2023, 6, 16)  # last change of the upstream files, per SOURCE.md
WIKI = "en.wikipedia.org"

_lock = threading.Lock()
_file_cache: dict[tuple[str, float], tuple[PageSnapshot, ...]] = {}


def canonical_title(title: str) -> str:
    """MediaWiki's own title normalisation, the parts that matter here: URL-decoding,
    underscores to spaces, collapsed whitespace, an upper-case first letter."""
    title = unquote(title).replace("_", " ")
    title = " ".join(title.split())
    return title[:1].upper() + title[1:]


def title_key(title: str) -> str:
    """A looser key for the redirect-like matches: case, accents and dash style ignored."""
    return fold(canonical_title(title))


def _page_from_line(record: dict, snapshot_date: date) -> PageSnapshot:
    title = canonical_title(record["title"])
    url = record.get("url") or "https://en.wikipedia.org/wiki/" + title.replace(" ", "_")
    if "sections" in record or "lead" in record:
        sections = [PageSection("", (record.get("lead") or "").strip())]
        sections += [
            PageSection((s.get("heading") or "").strip(), (s.get("text") or "").strip())
            for s in record.get("sections") or []
        ]
        description = record.get("short_description") or ""
    elif "lead_summary" in record:
        sections = [PageSection("", (record.get("lead_summary") or "").strip())]
        description = record.get("description") or ""
    else:
        raise ValueError("neither an article nor a lead summary")
    return PageSnapshot(
        wiki=WIKI,
        title=title,
        url=url,
        sections=tuple(s for s in sections if s.text or s.heading),
        source="corpus",
        page_id=None,
        revision_id=None,
        snapshot_date=snapshot_date,
        description=description,
    )


def load_corpus_file(path: Path, snapshot_date: date = SNAPSHOT_DATE) -> tuple[PageSnapshot, ...]:
    """All pages of one JSONL file, parsed once per process."""
    path = Path(path).resolve()
    try:
        key = (f"{path}|{snapshot_date.isoformat()}", path.stat().st_mtime)
    except OSError as exc:
        raise EvidenceSourceError(
            f"corpus file {path} cannot be read ({exc}); check EVIDENCE_SOURCE", transient=False
        ) from exc
    with _lock:
        cached = _file_cache.get(key)
    if cached is not None:
        return cached
    pages = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                pages.append(_page_from_line(json.loads(line), snapshot_date))
            except (ValueError, KeyError, TypeError) as exc:
                raise EvidenceSourceError(
                    f"{path}:{number} is not a corpus line ({exc})", transient=False
                ) from exc
    result = tuple(pages)
    with _lock:
        _file_cache[key] = result
    return result


class CorpusSource:
    """EvidenceSource over local JSONL files. When two files hold the same title, the page
    with more text wins (a full article beats its lead summary)."""

    name = "corpus"

    def __init__(self, paths: Iterable[str | Path], *, snapshot_date: date = SNAPSHOT_DATE):
        self.paths = tuple(Path(p) for p in paths)
        if not self.paths:
            raise ValueError("CorpusSource needs at least one JSONL file")
        self.snapshot_date = snapshot_date
        self.request_count = 0  # no network; kept for parity with LiveWikipediaSource
        by_title: dict[str, PageSnapshot] = {}
        for path in self.paths:
            for page in load_corpus_file(path, snapshot_date):
                current = by_title.get(page.title)
                if current is None or _text_length(page) > _text_length(current):
                    by_title[page.title] = page
        self.pages: dict[str, PageSnapshot] = by_title
        self._by_key = {title_key(title): page for title, page in by_title.items()}
        self._titles, self._index = _search_index(self.paths, snapshot_date, by_title)
        self._prior = np.array(
            [1 + 0.1 * np.log10(1 + _text_length(by_title[t])) for t in self._titles]
        )

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, PageSnapshot]:
        """Pages keyed by the requested title; unknown titles are absent. Titles match like
        Wikipedia's (underscores, first letter) and, as a stand-in for redirects, regardless
        of case, accents and dash style."""
        found = {}
        for requested in titles:
            if not requested or not requested.strip():
                continue
            page = self.pages.get(canonical_title(requested)) or self._by_key.get(
                title_key(requested)
            )
            if page is not None:
                found[requested] = page
        return found

    def search(self, query: str, *, limit: int = 5) -> list[str]:
        """BM25 over title (counted twice), description and lead; best first."""
        tokens = tokenize(query)
        if not tokens or limit <= 0:
            return []
        # Like Wikipedia's own search, prefer substantial articles: a mild length prior
        # stands in for the link and popularity signals the offline corpus lacks.
        scores = self._index.get_scores(tokens) * self._prior
        order = np.argsort(-scores, kind="stable")[:limit]
        return [self._titles[i] for i in order if scores[i] > 0]


def _text_length(page: PageSnapshot) -> int:
    return sum(len(s.text) for s in page.sections)


_index_cache: dict[tuple, tuple[list[str], bm25s.BM25]] = {}


def _search_index(
    paths: tuple[Path, ...], snapshot_date: date, pages: dict[str, PageSnapshot]
) -> tuple[list[str], bm25s.BM25]:
    key = (tuple(str(p.resolve()) for p in paths), snapshot_date, len(pages))
    with _lock:
        cached = _index_cache.get(key)
    if cached is not None:
        return cached
    titles = list(pages)
    documents = []
    for title in titles:
        page = pages[title]
        lead = page.sections[0].text if page.sections and not page.sections[0].heading else ""
        plain_title = re.sub(r"[()]", " ", title)
        documents.append(tokenize(f"{plain_title} {plain_title} {page.description} {lead}"))
    index = bm25s.BM25()
    index.index([doc or ["<empty>"] for doc in documents], show_progress=False)
    with _lock:
        _index_cache[key] = (titles, index)
    return titles, index
