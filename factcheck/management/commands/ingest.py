"""manage.py ingest PATH... : store articles from .txt, .md and .html files (or folders of them).

Each file gets one line: ingested, already ingested, or the reason it was refused. A bad file
never stops the rest of the batch, even one that fails in an unexpected way (run with
LOG_LEVEL=DEBUG to see its traceback); the command exits 1 if any file was refused.
"""

import dataclasses
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck import services
from factcheck.ingestion import SUPPORTED_SUFFIXES, IngestError, read_document
from factcheck.safe_urls import UnsafeURLError, validate_public_url

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Ingest articles from .txt, .md and .html files and queue them for processing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders holding them.")
        parser.add_argument("--outlet", default="", help="Outlet that published the articles.")
        parser.add_argument("--url", default="", help="Source URL (only with a single file).")

    def handle(self, *args, paths: list[str], outlet: str, url: str, **options):
        files = expand_paths([Path(p) for p in paths])
        if url and len(files) != 1:
            raise CommandError("--url names one article: give exactly one file with it.")
        refused = 0
        for path in files:
            outcome = ingest_path(path, outlet=outlet, url=url)
            if outcome.startswith("error"):
                refused += 1
                self.stderr.write(outcome)
            else:
                self.stdout.write(outcome)
        if refused:
            raise CommandError(
                f"{refused} of {len(files)} file(s) refused; the others were ingested."
            )


def expand_paths(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            files.append(path)
    return files


def ingest_path(path: Path, *, outlet: str = "", url: str = "") -> str:
    """Ingest one file and return the one-line outcome a person reads. Never raises."""
    try:
        return _ingest_path(path, outlet=outlet, url=url)
    except Exception as exc:  # one bad file must not stop the batch; the line says what broke
        log.debug("ingesting %s failed", path, exc_info=True)
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return f"error: {path}: could not be stored ({reason})"


def _ingest_path(path: Path, *, outlet: str, url: str) -> str:
    try:
        if url:
            url = validate_public_url(url)
        size = path.stat().st_size
        if size > settings.INGEST_MAX_BYTES:
            # Refuse before reading: a huge file must not be loaded to be rejected.
            raise IngestError(
                f"file is {size:,} bytes, over the {settings.INGEST_MAX_BYTES:,}-byte limit "
                "(INGEST_MAX_BYTES)"
            )
        data = path.read_bytes()
        draft = read_document(data, filename=path.name, max_bytes=settings.INGEST_MAX_BYTES)
    except UnsafeURLError as exc:
        return f"error: {path}: --url refused: {exc}"
    except IngestError as exc:
        return f"error: {path}: {exc}"
    except OSError as exc:
        return f"error: {path}: cannot read file ({exc.strerror or exc})"
    if outlet or url:
        draft = dataclasses.replace(
            draft, outlet=outlet or draft.outlet, source_url=url or draft.source_url
        )
    try:
        outcome = services.article_ingest(draft=draft)
    except IngestError as exc:
        return f"error: {path}: {exc}"
    article = outcome.article
    if outcome.created:
        return f"ingested: {path} -> article #{article.pk} {article.title!r}"
    return f"unchanged: {path} is already article #{article.pk} {article.title!r}; nothing stored"
