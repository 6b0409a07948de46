"""The check-worthiness model: shipped file, reasons, seed ranking, margin over the baseline.

None of these tests touches the database.
"""

import io
import json
import sys

import pytest
from django.core.management import call_command

from factcheck.extraction import checkworthiness, training
from factcheck.extraction.checkworthiness import Judgement, judge_sentences

from .conftest import GOLD_PATH, SEEDS_DIR

pytestmark = pytest.mark.skipif(
    not training.CLAIMBUSTER_PATH.exists() or not GOLD_PATH.exists(),
    reason="needs ../shared (ClaimBuster data and the seed gold) beside the checkout",
)


def test_it_loads_the_shipped_model_and_judges_in_order():
    sentences = [
        "Thank you very much.",
        "Unemployment rose to 7.8 percent in 2009, the highest in 26 years.",
        "I think we can do better.",
    ]
    judgements = judge_sentences(sentences)

    assert len(judgements) == 3
    assert all(isinstance(j, Judgement) for j in judgements)
    assert all(0.0 <= j.probability <= 1.0 for j in judgements)
    assert [j.label for j in judgements] == ["not_factual", "check_worthy", "not_factual"]
    # Same order: judging one at a time gives the same answers.
    assert [judge_sentences([s])[0] for s in sentences] == judgements


def test_it_judges_an_empty_batch():
    assert judge_sentences([]) == []


def test_it_loads_the_model_once_per_process():
    assert checkworthiness.shipped_model() is checkworthiness.shipped_model()


def test_it_names_a_quantity():
    (judgement,) = judge_sentences(["Putin announced plans to send 150,000 troops to Syria."])
    assert "quantity" in judgement.reasons
    assert "attribution" in judgement.reasons
    assert "named entity" in judgement.reasons


def test_it_names_an_attribution():
    sentence = "A covert paratroop battalion has arrived in Syria, according to the Daily Express."
    (judgement,) = judge_sentences([sentence])
    assert "attribution" in judgement.reasons


def test_it_names_a_question():
    (judgement,) = judge_sentences(["Would US warplanes dare confront Russia?"])
    assert "question" in judgement.reasons
    assert judgement.label != "check_worthy"


def test_it_names_opinion_first_person_and_prediction():
    (judgement,) = judge_sentences(["I think we will win this election."])
    assert {"opinion wording", "first person", "prediction"} <= set(judgement.reasons)
    assert "quantity" not in judgement.reasons


def test_it_does_not_take_a_year_or_the_country_us_for_a_quantity_or_first_person():
    reasons = checkworthiness.reasons("In 2015 the US bombed the city.")
    assert "date" in reasons
    assert "quantity" not in reasons
    assert "first person" not in reasons


def test_it_pushes_page_chrome_below_claims():
    chrome, claim = judge_sentences(
        ["2,500 $", "Air and ground operations killed hundreds of terrorists."]
    )
    assert chrome.label == "not_factual"
    assert "page chrome: number without words" in chrome.reasons
    assert chrome.probability < claim.probability


def test_it_ranks_every_seed_priority_one_claim_above_every_piece_of_chrome():
    report = training.seed_check(judge_sentences, GOLD_PATH, SEEDS_DIR)

    assert len(report.group("p1")) == 27
    assert report.group("chrome")
    assert report.min_p1 > report.max_chrome, "\n".join(report.lines())
    # Almost every priority-1 claim is labelled check-worthy at the shipped threshold.
    assert report.p1_check_worthy >= 25, "\n".join(report.lines())
    assert not any(item.label == "check_worthy" for item in report.group("chrome"))


def test_it_beats_the_baseline_by_a_tenth_of_f1_on_the_held_out_split():
    # The shipped model against a baseline trained afresh on the same training part.
    report = training.evaluate_shipped(checkworthiness.shipped_model())

    assert report.margin >= 0.10, "\n".join(report.lines())
    assert report.model.average_precision > report.baseline.average_precision
    # The figures in the model file (and the card) are the ones we get back.
    recorded = checkworthiness.shipped_model().meta["figures"]
    assert recorded["model_f1"] == round(report.model.f1, 4)
    assert recorded["model_ap"] == round(report.model.average_precision, 4)
    assert recorded["baseline_f1"] == round(report.baseline.f1, 4)


def test_it_never_validates_on_a_training_sentence():
    train, val = training.holdout_split(training.load_claimbuster())
    assert not set(train.texts) & set(val.texts)
    share = sum(label == "check_worthy" for label in val.labels) / len(val.labels)
    assert share == pytest.approx(1849 / 8231, abs=0.01)


def test_it_splits_seed_text_into_sentences_without_breaking_on_titles():
    text = "Gen. Valery Gerasimov said it. Next one?\n\nSupport SouthFront\nforces went home."
    spans = training.split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Gen. Valery Gerasimov said it.",
        "Next one?",
        "Support SouthFront\nforces went home.",
    ]


def test_it_prints_one_json_line_per_input_line_in_order(monkeypatch):
    lines = ["Thank you.", "", "The army freed 28 localities in Latakia.", "Is that true?"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()

    call_command("score_sentences", stdout=out)

    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["sentence"] for r in records] == lines
    assert all(set(r) == {"sentence", "score", "label", "reasons"} for r in records)
    assert records[2]["label"] == "check_worthy"
    assert "question" in records[3]["reasons"]


@pytest.mark.slow
def test_it_retrains_to_exactly_the_shipped_model(tmp_path):
    out = io.StringIO()

    call_command("train_checkworthiness", output=tmp_path, stdout=out)

    retrained = json.loads((tmp_path / "checkworthiness.json").read_text())
    shipped = json.loads(checkworthiness.MODEL_PATH.read_text())
    # Same vocabulary, same settings, and every weight equal to the shipped one up to the
    # last rounded digit: BLAS kernels differ between CPUs in the 6th decimal.
    assert_same_model(retrained, shipped, path="model")
    assert "margin" in out.getvalue()


def assert_same_model(retrained, shipped, *, path: str) -> None:
    if isinstance(shipped, dict):
        assert set(retrained) == set(shipped), path
        for key in shipped:
            assert_same_model(retrained[key], shipped[key], path=f"{path}.{key}")
    elif isinstance(shipped, list):
        assert len(retrained) == len(shipped), path
        for index, (mine, theirs) in enumerate(zip(retrained, shipped, strict=True)):
            assert_same_model(mine, theirs, path=f"{path}[{index}]")
    elif isinstance(shipped, float):
        assert retrained == pytest.approx(shipped, abs=1e-4), path
    else:
        assert retrained == shipped, path
