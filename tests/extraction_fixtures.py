"""Shared fixtures for the extraction tests: spaCy loaded once per process, seeds extracted once.

Import the fixtures into a test module (``from .extraction_fixtures import nlp, seed_results``).
``get_nlp`` is cached per process, so however many modules import the fixture, the model is
loaded once per test session. Nothing here touches the database.
"""

from functools import lru_cache

import pytest
from django.conf import settings

from factcheck.extraction import evaluation
from factcheck.extraction.pipeline import extract_many, get_nlp
from factcheck.extraction.types import ExtractionResult


@lru_cache(maxsize=1)
def seed_texts() -> dict[str, str]:
    return evaluation.read_seeds(evaluation.load_gold())


@lru_cache(maxsize=1)
def _seed_results() -> dict[str, ExtractionResult]:
    texts = seed_texts()
    names = list(texts)
    results = extract_many([texts[n] for n in names], nlp=get_nlp(settings.SPACY_MODEL))
    return dict(zip(names, results, strict=True))


@pytest.fixture(scope="session")
def nlp():
    return get_nlp(settings.SPACY_MODEL)


@pytest.fixture(scope="session")
def seed_results() -> dict[str, ExtractionResult]:
    return _seed_results()


def seed(prefix: str) -> tuple[str, ExtractionResult]:
    """The text and extraction result of the seed whose file name starts with ``prefix``."""
    name = next(n for n in seed_texts() if n.startswith(prefix))
    return seed_texts()[name], _seed_results()[name]


def claim_containing(result: ExtractionResult, text: str, anchor: str):
    start = text.index(anchor)
    end = start + len(anchor)
    hits = [c for c in result.claims if c.start <= start and end <= c.end]
    assert hits, f"no claim contains {anchor!r}"
    return hits[0]
