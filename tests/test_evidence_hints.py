"""Hints written for people, and the number hint comparing like with like only.

(The hints' first tests, against ranked corpus evidence, are in test_evidence_ranking.py.)
"""

import re

import pytest

from factcheck.evidence.hints import HINT_LABELS, evidence_hints, hint_label, like_units
from factcheck.evidence.text import find_numbers
from factcheck.evidence.types import ClaimQuery, RankedSentence

INTERVENTION = "Russian military intervention in the Syrian civil war"
INVOLVEMENT = "Russian involvement in the Syrian civil war"
TROOPS_CLAIM = (
    "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria "
    "to wipe out the terror group."
)
FRONTS_CLAIM = (
    "Valery Gerasimov said earlier this month Damascus-led forces are on the offensive on ten "
    "fronts out of 15."
)
HELICOPTERS = (
    "Russia deployed 12 Su-25 ground attack aircraft and 15 helicopters at the Bassel "
    "Al-Assad International Airport near Latakia."
)
ENGINEERING = re.compile(r"number_|claimant_|date_|bm25|\d\.0\b|'\d|exact ")


def sentence(text: str, title: str = INVOLVEMENT, index: int = 0) -> RankedSentence:
    return RankedSentence(title, index, text, "", 1.0, "bm25")


def test_the_troops_hint_reads_as_a_sentence_naming_the_figures_and_their_pages():
    evidence = [
        sentence(
            "The Russian Ministry of Defense reported that 68,000 Russian army servicemen had "
            "taken part in the Syrian intervention.",
            title=INTERVENTION,
        ),
        sentence(
            "By the end of 2017, 48,000 Russian servicemen had rotated through Syria.",
            title=INTERVENTION,
            index=1,
        ),
    ]
    (hint,) = evidence_hints(ClaimQuery(text=TROOPS_CLAIM), evidence)
    assert hint.message == (
        "The claim says 150,000 troops; Wikipedia gives 68,000 Russian army servicemen and "
        f"48,000 Russian servicemen ({INTERVENTION}). Check whether they count the same "
        "thing, place and time."
    )
    assert (hint.page_title, hint.sentence_index) == (INTERVENTION, 0)


def test_no_hint_message_carries_engineering_terms():
    query = ClaimQuery(
        text="Putin said 6,000 sorties were flown by September 30.", claimant="Vladimir Putin"
    )
    evidence = [
        sentence("Russian jets flew more than 6,000 sorties by 30 September."),
        sentence("Russia began air strikes on 3 September 2015.", index=1),
    ]
    hints = evidence_hints(query, evidence)
    assert {h.kind for h in hints} == {"number_match", "claimant_absent", "date_match"}
    for hint in hints:
        assert not ENGINEERING.search(hint.message), hint.message
        assert hint.message[0].isupper() and hint.message.endswith(".")
    (match,) = [h for h in hints if h.kind == "number_match"]
    assert match.message == (
        f"The claim says 6,000 sorties; Wikipedia gives the same figure: 6,000 sorties "
        f"({INVOLVEMENT})."
    )


def test_fifteen_fronts_is_not_matched_with_fifteen_helicopters():
    # Extraction read "out of 15" as 15 fronts; the sentence leaves the figure bare.
    with_unit = ClaimQuery(
        text=FRONTS_CLAIM,
        quantities=({"text": "15", "value": 15.0, "unit": "fronts", "bound": "exact"},),
    )
    bare = ClaimQuery(text=FRONTS_CLAIM)
    for query in (with_unit, bare):
        assert not [h for h in evidence_hints(query, [sentence(HELICOPTERS)]) if "15" in h.message]


def test_a_bare_figure_matches_a_bare_figure_and_the_same_noun_matches_the_same_noun():
    bare = evidence_hints(ClaimQuery(text=FRONTS_CLAIM), [sentence("Rebels held 15.")])
    assert [h.kind for h in bare] == ["number_match"]
    fronts = ClaimQuery(
        text=FRONTS_CLAIM,
        quantities=({"text": "15", "value": 15.0, "unit": "fronts", "bound": "exact"},),
    )
    same_noun = evidence_hints(fronts, [sentence("The army fought on 15 fronts that winter.")])
    assert [h.kind for h in same_noun] == ["number_match"]
    assert same_noun[0].message.startswith("The claim says 15 fronts;")


@pytest.mark.parametrize(
    ("claimed", "other", "alike"),
    [
        ("150,000 troops", "150,000 servicemen", True),  # the same kind of thing
        ("150,000 troops", "150,000 civilians", False),
        ("15 helicopters", "15 aircraft", True),
        ("15 helicopters", "15 artillery pieces", False),
        ("34%", "34 percent", True),
        ("12 reasons", "12 reasons", True),  # a noun the unit classes do not know
        ("12 reasons", "12 bridges", False),
        ("the count was 15.", "the total was 15.", True),  # bare with bare
        ("the count was 15.", "15 helicopters", False),
    ],
)
def test_like_units(claimed, other, alike):
    (a,), (b,) = find_numbers(claimed), find_numbers(other)
    assert like_units(a, b) is alike


def test_a_figure_found_only_by_extraction_keeps_its_unit():
    # "six thousand sorties" has no digits for the text's own number finder.
    query = ClaimQuery(
        text="Six thousand sorties later, Russia is on a roll.",
        numbers=(6000.0,),
        quantities=(
            {"text": "Six thousand", "value": 6000.0, "unit": "sorties", "bound": "exact"},
        ),
    )
    hints = evidence_hints(query, [sentence("Russian jets flew 6,000 sorties by January 2016.")])
    assert [h.message for h in hints] == [
        f"The claim says Six thousand sorties; Wikipedia gives the same figure: 6,000 sorties "
        f"({INVOLVEMENT})."
    ]
    nothing = evidence_hints(query, [sentence("Russia sent 6,000 troops.")])
    assert nothing == []


def test_every_kind_the_hints_produce_has_a_label_and_old_kinds_get_a_plain_one():
    assert hint_label("number_mismatch") == "Different figures"
    assert hint_label("quantity") == hint_label("") == "Hint"
    assert all("_" not in label for label in HINT_LABELS.values())
