"""factcheck.extraction.attribution_eval: the attribution metric, on small made-up articles.

The scoring is pure, so most tests build claims by hand; one runs the command end to end.
"""

import io
import json

import pytest
from django.core.management import call_command

from factcheck.extraction import attribution_eval as ae
from factcheck.extraction.types import ClaimCandidate, ExtractionResult

TEXT = (
    "Headline\n\n"
    "“The bridge will open in May,” Mayor Jane Ortiz said.\n\n"
    "“We kept our promise,” she added.\n\n"
    "Critics say the cost doubled in two years."
)


def role(text: str, words: str) -> dict:
    start = text.index(words)
    return {"spans": [[start, start + len(words)]], "text": words}


def record(*attributions: dict, text: str = TEXT) -> dict:
    return {
        "id": "made-up-1",
        "split": "train",
        "publisher": "example",
        "date": "2026-01-01",
        "title": "Headline",
        "text": text,
        "attributions": list(attributions),
    }


def gold(source: str | None, content: str, text: str = TEXT) -> ae.GoldAttribution:
    raw = {"content": role(text, content)}
    if source is not None:
        raw["source"] = role(text, source)
    return ae.parse_article(record(raw, text=text)).attributions[0]


def claim(sentence: str, claimant: str | None = None, name: str | None = None) -> ClaimCandidate:
    start = TEXT.index(sentence)
    cs = TEXT.index(claimant) if claimant else None
    return ClaimCandidate(
        text=sentence,
        start=start,
        end=start + len(sentence),
        paragraph_start=start,
        paragraph_end=start + len(sentence),
        score=0.5,
        label="check_worthy",
        kind="quote",
        reasons=(),
        claimant=claimant,
        claimant_start=cs,
        claimant_end=cs + len(claimant) if claimant else None,
        claimant_name=name or claimant,
    )


QUOTE = "“The bridge will open in May,” Mayor Jane Ortiz said."


def test_a_direct_quote_is_content_holding_a_double_quotation_mark():
    assert ae.is_direct("“The bridge will open”")
    assert ae.is_direct('"The bridge will open"')
    assert ae.is_direct("''The bridge will open''")
    assert not ae.is_direct("the mayor’s bridge will open")  # an apostrophe is no quote


def test_it_counts_only_named_sources_and_contents_of_four_words_or_more():
    assert ae.is_eligible(gold("Mayor Jane Ortiz", "The bridge will open in May"))
    assert not ae.is_eligible(gold("she", "We kept our promise"))  # a bare pronoun
    assert not ae.is_eligible(gold(None, "the cost doubled in two years"))
    short = "Headline\n\nOrtiz said “never again” on Monday."
    assert not ae.is_eligible(gold("Ortiz", "never again", text=short))


def test_a_claim_covers_the_content_when_it_holds_at_least_half_of_it():
    g = gold("Mayor Jane Ortiz", "The bridge will open in May")
    outcome = ae.score_attribution("a", g, [claim(QUOTE, "Jane Ortiz")])
    assert (outcome.covered, outcome.named, outcome.right) == (True, True, True)
    assert not ae.score_attribution("a", g, []).covered


def test_a_quote_over_two_sentences_is_covered_together_but_not_by_one_claim():
    text = "Headline\n\n“The bridge is safe. Engineers checked every cable,” Ortiz said."
    g = gold("Ortiz", "The bridge is safe. Engineers checked every cable", text=text)
    first = "“The bridge is safe."
    second = "Engineers checked every cable,” Ortiz said."
    claims = []
    for sentence in (first, second):
        start = text.index(sentence)
        claims.append(
            ClaimCandidate(
                sentence, start, start + len(sentence), start, start + len(sentence), 0.5,
                "check_worthy", "quote", (), "Ortiz", text.index("Ortiz"),
                text.index("Ortiz") + 5,
            )
        )  # fmt: skip
    outcome = ae.score_attribution("a", g, claims)
    assert outcome.covered  # the second sentence holds 29 of the 49 characters
    assert outcome.covered_together and outcome.right


def test_it_is_right_when_the_claimant_shares_a_content_word_with_the_source():
    g = gold("Mayor Jane Ortiz", "The bridge will open in May")
    assert ae.score_attribution("a", g, [claim(QUOTE, "Ortiz")]).right
    # The fullest name counts too: "the mayor" resolved to Jane Ortiz.
    assert ae.score_attribution("a", g, [claim(QUOTE, "Mayor", name="Jane Ortiz")]).right


def test_a_wrong_claimant_is_named_but_not_right():
    g = gold("Mayor Jane Ortiz", "The bridge will open in May")
    outcome = ae.score_attribution("a", g, [claim(QUOTE, "Headline")])
    assert (outcome.named, outcome.right) == (True, False)


def test_a_bare_pronoun_claimant_counts_as_unnamed():
    g = gold("Mayor Jane Ortiz", "The bridge will open in May")
    c = claim(QUOTE)
    c = ClaimCandidate(**{**c.__dict__, "claimant": "she", "claimant_name": "she"})
    outcome = ae.score_attribution("a", g, [c])
    assert outcome.covered and not outcome.named and not outcome.right


def test_possessives_case_and_honorifics_do_not_decide_a_match():
    assert ae.content_words("Ortiz’s") == {"ortiz"}
    assert ae.content_words("the MAYOR's office") == {"mayor", "office"}
    assert ae.content_words("Mr. Trump") & ae.content_words("Mr. Clinton") == set()


def test_the_report_gives_counts_and_percentages_for_quotes_and_all_attributions():
    words = "“The bridge will open in May,”"
    quoted = {"source": role(TEXT, "Mayor Jane Ortiz"), "content": role(TEXT, words)}
    reported = {"source": role(TEXT, "Critics"), "content": role(TEXT, "the cost doubled in two")}
    article = ae.parse_article(record(quoted, reported))
    result = ExtractionResult(claims=[claim(QUOTE, "Jane Ortiz")])
    report = ae.evaluate([article], [result])
    quotes = report.tally(direct_only=True)
    everything = report.tally(direct_only=False)
    assert (quotes.eligible, quotes.covered, quotes.named, quotes.right) == (1, 1, 1, 1)
    assert (everything.eligible, everything.right) == (2, 1)
    assert everything.recall == 0.5
    printed = report.as_text()
    assert "direct quotes: 1 eligible" in printed
    assert "recall  :  50.0% (1/2)" in printed


def test_it_reads_polnear_format_lines(tmp_path):
    path = tmp_path / "made_up.jsonl"
    line = record({"source": role(TEXT, "Critics"), "content": role(TEXT, "the cost doubled")})
    path.write_text(json.dumps(line) + "\n\n", encoding="utf-8")
    [article] = list(ae.read_articles(path))
    assert article.id == "made-up-1"
    assert article.attributions[0].source.text == "Critics"


@pytest.mark.slow
def test_the_command_runs_extraction_and_prints_the_figures(tmp_path):
    path = tmp_path / "made_up.jsonl"
    content = role(TEXT, "“The bridge will open in May,”")  # PolNeAR keeps the marks
    line = record({"source": role(TEXT, "Mayor Jane Ortiz"), "content": content})
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("evaluate_attribution", str(path), stdout=out)
    printed = out.getvalue()
    assert "direct quotes: 1 eligible" in printed
    assert "recall  : 100.0% (1/1)" in printed
