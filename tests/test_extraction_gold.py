"""Extraction quality on the hand-annotated seeds, asserted as figures (see evaluation.py).

No database: extraction and evaluation are pure.
"""

import io

import pytest
from django.core.management import call_command

from factcheck.extraction import evaluation

from .extraction_fixtures import nlp, seed_results, seed_texts  # noqa: F401

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def report(seed_results):  # noqa: F811
    return evaluation.evaluate(evaluation.load_gold(), seed_results)


def test_the_gold_anchors_slice_the_seed_texts():
    assert evaluation.check_anchors(evaluation.load_gold(), seed_texts()) == []


def test_it_finds_every_priority_1_claim_as_check_worthy(report):
    missed = [o.id for o in report.outcomes if o.priority == 1 and not o.found]
    assert missed == [], report.as_text()
    assert report.recall(1) == 1.0


def test_it_finds_at_least_80_percent_of_priority_2_claims(report):
    assert report.recall(2) >= 0.8, report.as_text()


def test_no_not_claim_falls_inside_any_extracted_claim(report):
    assert report.violations == [], report.as_text()


def test_it_names_the_gold_claimant_for_at_least_90_percent_of_claims_that_have_one(report):
    assert report.claimant_accuracy >= 0.9, report.as_text()


def test_it_matches_the_gold_cue_for_at_least_80_percent_of_claims(report):
    assert report.cue_accuracy >= 0.8, report.as_text()


def test_every_claim_is_a_verbatim_slice_inside_its_paragraph(seed_results):  # noqa: F811
    texts = seed_texts()
    for name, result in seed_results.items():
        text = texts[name]
        for c in result.claims:
            assert text[c.start : c.end] == c.text
            assert c.paragraph_start <= c.start < c.end <= c.paragraph_end
            if c.claimant_start is not None:
                assert text[c.claimant_start : c.claimant_end] == c.claimant
            for q in c.quantities:
                assert text[q.start : q.end] == q.text
            for e in c.entities:
                assert text[e.start : e.end] == e.text


def test_the_evaluate_command_prints_the_report():
    out = io.StringIO()
    call_command("evaluate_extraction", stdout=out)
    printed = out.getvalue()
    assert "priority-1 recall : 100.0%" in printed
    assert "not_claims inside an extracted claim: 0" in printed
