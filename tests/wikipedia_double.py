"""The `wikipedia_double` fixture: the MediaWiki API double, started for one test."""

from collections.abc import Iterator

import pytest

from factcheck.evidence.mediawiki_double import CORPUS_FILES, REPO_ROOT, MediaWikiDouble

__all__ = ["CORPUS_FILES", "REPO_ROOT", "MediaWikiDouble", "wikipedia_double"]


@pytest.fixture
def wikipedia_double() -> Iterator[MediaWikiDouble]:
    """A started MediaWiki API double, stopped after the test."""
    double = MediaWikiDouble().start()
    try:
        yield double
    finally:
        double.stop()
