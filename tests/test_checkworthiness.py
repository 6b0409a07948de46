"""The check-worthiness model: shipped files, reasons, held-out figures, priorities.

None of these tests touches the database. The ClaimBuster and CLEF files are read from
factcheck/extraction/data/ and the seeds from factcheck/samples/, so these run from a bare
checkout.
"""

import io
import json
import shutil
import sys
import types

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck.extraction import checkworthiness, evaluation, training
from factcheck.extraction.checkworthiness import Judgement, judge_sentences
from factcheck.extraction.priority import priority_for

from .conftest import GOLD_PATH, SEEDS_DIR
from .extraction_fixtures import seed_results  # noqa: F401


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
    # Same order: judging one at a time gives the same answers (batches are padded, and the
    # padding must not change a score beyond float noise).
    for sentence, together in zip(sentences, judgements, strict=True):
        (alone,) = judge_sentences([sentence])
        assert alone.label == together.label
        assert alone.probability == pytest.approx(together.probability, abs=1e-4)


def test_it_judges_an_empty_batch():
    assert judge_sentences([]) == []


def test_it_loads_the_model_once_per_process():
    assert checkworthiness.shipped_model() is checkworthiness.shipped_model()


def test_it_refuses_an_encoder_that_is_not_the_one_its_settings_name(tmp_path):
    for name in ("checkworthiness.json", "vocab.txt"):
        shutil.copyfile(checkworthiness.MODEL_PATH.parent / name, tmp_path / name)
    (tmp_path / "checkworthiness.onnx").write_bytes(b"not the trained encoder")

    with pytest.raises(ValueError, match="not the encoder"):
        checkworthiness.load_model(tmp_path / "checkworthiness.json")


def test_the_shipped_model_files_stay_small():
    folder = checkworthiness.MODEL_PATH.parent
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    assert total < 25_000_000


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
    assert chrome.label != "check_worthy"
    assert "page chrome: number without words" in chrome.reasons
    assert chrome.probability < claim.probability


def test_it_ranks_every_seed_priority_one_claim_above_every_piece_of_chrome():
    report = training.seed_check(judge_sentences, GOLD_PATH, SEEDS_DIR)

    assert len(report.group("p1")) == 27
    assert report.group("chrome")
    assert report.min_p1 > report.max_chrome, "\n".join(report.lines())
    assert not any(item.label == "check_worthy" for item in report.group("chrome"))


@pytest.fixture(scope="module")
def shipped_report():
    return training.evaluate_shipped(checkworthiness.shipped_model())


def test_it_beats_the_baseline_on_debates_it_never_saw(shipped_report):
    # Retraining takes PyTorch and about half an hour, so the suite does not retrain. Instead
    # it scores the shipped files on the held-out debates and checks (1) they clear floors
    # below the figures in the model card, and (2) they are the figures the training run
    # recorded in the model file (int8 kernels differ slightly between CPUs, hence abs 0.005).
    report = shipped_report
    lines = "\n".join(report.lines())

    assert report.debates.model.f1 >= 0.78, lines
    assert report.debates.model.average_precision >= 0.85, lines
    assert report.margin >= 0.05, lines
    assert report.debates.model.average_precision > report.debates.baseline.average_precision
    recorded = checkworthiness.shipped_model().meta["figures"]
    assert recorded["model_f1"] == pytest.approx(report.debates.model.f1, abs=0.005)
    assert recorded["model_ap"] == pytest.approx(report.debates.model.average_precision, abs=0.005)
    assert recorded["baseline_f1"] == pytest.approx(report.debates.baseline.f1, abs=1e-4)


def test_it_ranks_unseen_clef_transcripts_better_than_the_baseline(shipped_report):
    lines = "\n".join(shipped_report.lines())
    assert shipped_report.clef_map >= 0.3, lines
    assert shipped_report.clef_map > shipped_report.clef_baseline_map, lines
    recorded = checkworthiness.shipped_model().meta["figures"]
    # onnxruntime's int8 kernels round differently from one CPU to another (VNNI or not): the
    # recorded 0.337 was measured on one machine, 0.347 on an AMD EPYC with AVX2 only. A
    # ranking metric over 440 positives moves that much with a few reordered sentences.
    assert recorded["clef_map"] == pytest.approx(shipped_report.clef_map, abs=0.015)


def test_it_never_validates_on_a_sentence_or_debate_it_trained_on():
    data = training.load_claimbuster()
    train, val = training.held_out_debates(data)
    assert not set(train.texts) & set(val.texts)
    assert not set(train.groups) & set(val.groups)
    assert 0.15 <= len(val.texts) / len(data.texts) <= 0.25
    r_train, r_val = training.holdout_split(data)
    assert not set(r_train.texts) & set(r_val.texts)
    share = sum(label == "check_worthy" for label in r_val.labels) / len(r_val.labels)
    assert share == pytest.approx(1849 / 8231, abs=0.01)


def test_it_scores_clef_only_on_transcripts_outside_claimbuster():
    clef = training.clef_held_out(training.load_clef())
    assert clef.groups and all(int(g[:4]) >= 2017 for g in clef.groups)
    assert sum(label == "check_worthy" for label in clef.labels) > 100


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


def test_the_check_only_command_prints_the_held_out_figures(monkeypatch, shipped_report):
    # The figures themselves are checked above; scoring twice would only cost time.
    monkeypatch.setattr(training, "evaluate_shipped", lambda model: shipped_report)
    out = io.StringIO()
    call_command("train_checkworthiness", check_only=True, stdout=out)
    printed = out.getvalue()
    assert "held-out debates" in printed
    assert "CLEF 2019" in printed


# --- Priority ----------------------------------------------------------------------------


def _priority(sentence: str, kind: str = "event") -> str:
    (j,) = judge_sentences([sentence])
    return priority_for(j.probability, j.label, kind, j.reasons)


def test_a_clearly_check_worthy_factual_sentence_is_high_or_medium():
    sentence = "Unemployment rose to 7.8 percent in 2009, the highest in 26 years."
    assert _priority(sentence, "quantity") in ("high", "medium")


def test_page_chrome_is_low():
    assert _priority("Share this article") == "low"
    assert _priority("2,500 $") == "low"


def test_an_opinion_is_low_whatever_its_score():
    assert priority_for(0.99, "check_worthy", "opinion") == "low"


def test_priority_follows_the_shipped_cuts():
    model = checkworthiness.shipped_model()
    assert model.threshold < model.priority_high < 1.0
    assert priority_for(model.priority_high, "check_worthy", "event") == "high"
    assert priority_for(model.threshold, "check_worthy", "event") == "medium"
    assert priority_for(model.threshold - 0.01, "unimportant", "event") == "low"


@pytest.mark.slow
def test_seed_priorities_put_claims_first_and_chrome_and_opinion_last(seed_results):  # noqa: F811
    gold = evaluation.load_gold()
    claims = [c for result in seed_results.values() for c in result.claims]
    high = [c for c in claims if c.priority == "high"]
    assert len(high) <= len(claims) / 2, f"{len(high)} of {len(claims)} claims are high"
    for name, article in gold["articles"].items():
        result = seed_results[name]
        for item in article["claims"]:
            if item["priority"] != 1:
                continue
            hits = [
                c
                for c in result.claims
                if c.start <= item["start"] and item["end"] <= c.end and c.label == "check_worthy"
            ]
            assert hits and hits[0].priority in ("high", "medium"), item["id"]
        for item in article["not_claims"]:
            for start, end in item["occurrences"]:
                inside = [c for c in result.claims if c.start <= start and end <= c.end]
                assert all(c.priority == "low" for c in inside), item["id"]


def test_training_keeps_the_number_of_encoder_layers_asked_for(monkeypatch, tmp_path):
    # Training itself needs PyTorch, which the suite does not install: stand in for the
    # import and for the run, and check what the command asks the run for.
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    asked = {}

    def train_and_evaluate(output, **options):
        asked.update(options)
        (output / "checkworthiness.onnx").write_bytes(b"encoder")
        return types.SimpleNamespace(lines=lambda: ["figures"])

    monkeypatch.setattr(training, "train_and_evaluate", train_and_evaluate)
    out = io.StringIO()

    call_command("train_checkworthiness", output=tmp_path, layers=4, stdout=out)

    assert asked["layers"] == 4
    assert "figures" in out.getvalue()
    with pytest.raises(CommandError, match="1 to 6"):
        call_command("train_checkworthiness", output=tmp_path, layers=7)
