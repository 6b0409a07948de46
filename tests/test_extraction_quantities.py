"""factcheck.extraction.quantities: value, counted noun, bound; never dates or identifiers."""

import pytest

from factcheck.extraction.quantities import find_quantities

from .extraction_fixtures import nlp  # noqa: F401

pytestmark = pytest.mark.slow


def quantities(nlp, sentence):  # noqa: F811
    doc = nlp(sentence)
    return [
        (doc.text[q.start : q.end], q.value, q.unit, q.bound)
        for sent in doc.sents
        for q in find_quantities(sent)
    ]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "More than 50 facilities including a key command centre have been destroyed.",
            [("More than 50 facilities", 50.0, "facilities", "at_least")],
        ),
        (
            "Militants were pushed out of as many as 217 localities.",
            [("as many as 217 localities", 217.0, "localities", "at_most")],
        ),
        (
            "Russian intelligence estimates around 3,500 militants in Afghanistan.",
            [("around 3,500 militants", 3500.0, "militants", "about")],
        ),
        (
            "Putin announced plans to send 150,000 troops to Syria.",
            [("150,000 troops", 150000.0, "troops", "exact")],
        ),
        (
            "After four months and 6,000 sorties, Russia is on a roll.",
            [("6,000 sorties", 6000.0, "sorties", "exact")],
        ),
        (
            "Air and ground operations killed hundreds of terrorists.",
            [("hundreds of terrorists", 100.0, "terrorists", "at_least")],
        ),
    ],
)
def test_it_reads_value_unit_and_bound(nlp, sentence, expected):  # noqa: F811
    assert quantities(nlp, sentence) == expected


def test_it_reads_a_percentage_with_what_it_is_a_share_of(nlp):  # noqa: F811
    found = quantities(nlp, "Greater than 90% of the strikes have not been against ISIL.")
    assert found == [("Greater than 90% of the strikes", 90.0, "percent", "at_least")]


def test_it_gives_the_second_number_of_out_of_the_same_unit(nlp):  # noqa: F811
    found = quantities(nlp, "Government forces are on the offensive on ten fronts out of 15.")
    assert [(v, u, b) for _, v, u, b in found] == [
        (10.0, "fronts", "exact"),
        (15.0, "fronts", "exact"),
    ]


def test_it_reads_number_words_with_multipliers(nlp):  # noqa: F811
    found = quantities(nlp, "The war displaced 1.5 million people and two hundred villages.")
    assert (1_500_000.0, "people") in [(v, u) for _, v, u, _ in found]


def test_it_ignores_years_dates_and_identifiers(nlp):  # noqa: F811
    assert quantities(nlp, "In 2006 and on January 15, the UN passed resolution 2254.") == []
    assert quantities(nlp, "On the one hand, Putin wants terrorism defeated.") == []


def test_it_reads_money_with_its_currency(nlp):  # noqa: F811
    found = quantities(nlp, "Moscow spent more than $5 million a day on the campaign.")
    assert found == [("more than $5 million", 5_000_000.0, "US dollars", "at_least")]


def test_it_carries_the_unit_into_an_elliptical_second_count(nlp):  # noqa: F811
    found = quantities(nlp, "The attack killed 9 GNA fighters and wounded 82.")
    assert [(v, u) for _, v, u, _ in found] == [(9.0, "fighters"), (82.0, "fighters")]


def test_it_reads_what_a_partitive_number_counts(nlp):  # noqa: F811
    found = quantities(nlp, "Officials said four of these strikes targeted ISIL in Mosul.")
    assert [(v, u) for _, v, u, _ in found] == [(4.0, "strikes")]


def test_it_skips_day_numbers_the_model_misses(nlp):  # noqa: F811
    assert quantities(nlp, "The phase lasted from 19 March to 1 May 2003.") == []
