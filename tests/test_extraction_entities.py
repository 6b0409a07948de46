"""factcheck.extraction.entities: clean spans, canonical names with aliases, corrected labels."""

import pytest

from factcheck.extraction.entities import canonical, clean_span, place_gazetteer
from factcheck.extraction.pipeline import extract_claims

from .extraction_fixtures import claim_containing, nlp, seed  # noqa: F401

pytestmark = pytest.mark.slow


def test_it_trims_brackets_newlines_leading_the_and_possessives():
    text = "the Daily Mirror's"
    a, b = clean_span(text, 0, len(text))
    assert text[a:b] == "Daily Mirror"
    text = "Vladimir] Putin"
    a, b = clean_span(text, 0, len(text))
    assert text[a:b] == "Putin"
    text = "(Wikipedia\nRussia"
    a, b = clean_span(text, 0, len(text))
    assert text[a:b] in ("Wikipedia", "Russia")


def test_it_gives_every_name_of_the_islamic_state_one_canonical_name():
    for alias in ("ISIS", "ISIL", "Daesh", "Islamic State"):
        name, aliases = canonical(alias)
        assert name == "Islamic State"
        assert "ISIL" in aliases or alias == "ISIL"


def test_it_builds_a_place_gazetteer_from_the_shipped_corpus():
    places = place_gazetteer()
    assert {"aleppo", "raqqa", "idlib", "damascus"} <= places
    assert "vladimir putin" not in places


def test_it_expands_a_surname_to_the_full_name_the_article_uses(nlp):  # noqa: F811
    text = (
        "Headline\n\n\"[President Vladimir] Putin's marines guard 3 airbases,'' a source said."
        "\n\nMoscow's latest move comes after Putin announced plans to send 150,000 troops."
    )
    claim = claim_containing(extract_claims(text, nlp=nlp), text, "Putin announced")
    putin = next(e for e in claim.entities if e.text == "Putin")
    assert putin.name == "Vladimir Putin"
    assert "Putin" in putin.aliases
    assert text[putin.start : putin.end] == "Putin"


def test_it_relabels_towns_that_the_model_calls_people(nlp):  # noqa: F811
    text = (
        "Headline\n\nOngoing air operations are widespread, targeting the Damascus countryside, "
        "Sweida, Daraa, Quneitra, Homs, Hama, Raqaa, Hasaka, the Aleppo countryside, Idlib and "
        "other areas."
    )
    claim = claim_containing(extract_claims(text, nlp=nlp), text, "Sweida")
    labels = {e.text: e.label for e in claim.entities}
    assert labels.get("Homs") == "GPE"
    assert labels.get("Idlib") == "GPE"
    assert labels.get("Aleppo") == "GPE"
    assert all(label != "PERSON" for label in labels.values())


def test_it_keeps_entity_offsets_into_the_article_and_drops_headline_noise():
    text, result = seed("001")
    headline = next(c for c in result.claims if c.is_headline)
    assert {e.name for e in headline.entities} <= {"Russia", "Syria", "Islamic State"}
    for claim in result.claims:
        for e in claim.entities:
            assert text[e.start : e.end] == e.text
            assert "\n" not in e.text and not e.text.startswith(("the ", "["))
