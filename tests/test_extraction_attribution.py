"""factcheck.extraction.attribution, through extract_claims: claimant, cue, content."""

import pytest

from factcheck.extraction.pipeline import extract_claims
from factcheck.extraction.quotes import quote_regions

from .extraction_fixtures import claim_containing, needs_shared, nlp, seed  # noqa: F401

pytestmark = pytest.mark.slow


def only_claim(text, nlp, anchor):  # noqa: F811
    return claim_containing(extract_claims(text, nlp=nlp), text, anchor)


def test_it_finds_quote_regions_with_straight_curly_doubled_and_unbalanced_marks():
    assert quote_regions('He said "a b" then') == [(9, 12)]
    assert quote_regions("“a b” and ''c d''") == [(1, 4), (12, 15)]
    text = 'said "strikes are precise.”'
    assert text[slice(*quote_regions(text)[0])] == "strikes are precise."
    assert quote_regions('opened "never closed') == [(8, 20)]
    text = 'closed but never opened," he said'
    assert [text[a:b] for a, b in quote_regions(text)] == ["closed but never opened,"]


def test_it_takes_the_subject_of_the_cue_verb_as_claimant(nlp):  # noqa: F811
    text = (
        "Headline\n\nMoscow's latest move comes after Putin announced plans to send 150,000 "
        "troops to Syria."
    )
    claim = only_claim(text, nlp, "Putin announced")
    assert (claim.claimant, claim.cue) == ("Putin", "announced")
    assert text[claim.claimant_start : claim.claimant_end] == "Putin"


def test_it_keeps_short_military_titles_with_the_name(nlp):  # noqa: F811
    text = (
        "Headline\n\nThey see Afghanistan as a rich recruiting ground, according to Russia's Main "
        "Intelligence Directorate chief Col. Gen. Igor Sergun."
    )
    claim = only_claim(text, nlp, "recruiting ground")
    assert claim.claimant == "Col. Gen. Igor Sergun"
    assert claim.cue == "according to"


def test_it_prefers_the_named_person_in_an_apposition(nlp):  # noqa: F811
    text = (
        "Headline\n\nSyria's ambassador to Russia, Riad Haddad, said the strikes carried out by "
        "Russia's air force against IS positions in Syria were precise."
    )
    claim = only_claim(text, nlp, "were precise")
    assert (claim.claimant, claim.cue) == ("Riad Haddad", "said")


def test_it_leaves_the_claimant_empty_when_the_article_speaks_in_its_own_voice(nlp):  # noqa: F811
    text = (
        "Headline\n\nSince Wednesday, Russian warplanes have been flying over Syrian territory "
        "conducting air strikes on what Moscow says are targets belonging to ISIS."
    )
    claim = only_claim(text, nlp, "Russian warplanes")
    assert claim.claimant is None and claim.cue is None


def test_it_gives_a_multi_sentence_quote_to_the_speaker_named_at_its_end(nlp):  # noqa: F811
    text = (
        'Headline\n\n"But Spetsnaz troops are not there to guard static objects. They are there '
        "to mop up after 40 air strikes in Syria,'' the source added."
    )
    first = only_claim(text, nlp, "Spetsnaz troops are not there")
    assert (first.claimant, first.cue) == ("the source", "added")


def test_it_continues_a_quote_paragraph_with_the_speaker_of_the_paragraph_before(nlp):  # noqa: F811
    text = (
        "Headline\n\nKirby lied saying Russian air strikes target “opposition groups,” not ISIS."
        "\n\n“Greater than 90% of the strikes that we’ve seen them take to date have not been "
        "against ISIL.”"
    )
    claim = only_claim(text, nlp, "Greater than 90%")
    assert (claim.claimant, claim.cue) == ("Kirby", "saying")
    assert text[claim.claimant_start : claim.claimant_end] == "Kirby"


def test_it_gives_a_quote_after_saying_colon_to_the_speaker(nlp):  # noqa: F811
    text = (
        "Headline\n\nOn Thursday, Chief of General Staff Gen. Ali Abdullah Ayoud issued a "
        'statement, saying:\n\n"Today the Syrian armed forces started a wide-scale attack on 12 '
        'towns."'
    )
    claim = only_claim(text, nlp, "wide-scale attack")
    assert claim.claimant == "Gen. Ali Abdullah Ayoud"
    assert claim.cue == "saying"


def test_it_resolves_it_to_the_organisation_named_just_before(nlp):  # noqa: F811
    text = (
        "Headline\n\nHowever, NATO the other day called on Russia to cease strikes in Syria. It "
        "also warned against violating Turkey's airspace, saying in a statement that the "
        'allies "note the extreme danger."'
    )
    assert only_claim(text, nlp, "NATO the other day").cue == "called on"
    warned = only_claim(text, nlp, "It also warned")
    assert (warned.claimant, warned.cue) == ("NATO", "warned")


@needs_shared
def test_it_attributes_the_seed_000_troops_claim_to_putin():
    text, result = seed("000")
    claim = claim_containing(result, text, "Putin announced plans to send 150,000 troops")
    assert (claim.claimant, claim.cue) == ("Putin", "announced")
    assert [(q.value, q.unit, q.bound) for q in claim.quantities] == [(150000.0, "troops", "exact")]


@needs_shared
def test_it_gives_the_seed_002_kirby_quote_paragraph_to_kirby():
    text, result = seed("002")
    claim = claim_containing(result, text, "Greater than 90% of the strikes")
    assert claim.claimant == "Kirby" and claim.cue == "saying"


@needs_shared
def test_it_carries_the_seed_002_haddad_quote_across_the_blank_line():
    text, result = seed("002")
    claim = claim_containing(result, text, "aerospace\n\nforces against the IS positions")
    assert claim.claimant == "Riad Haddad"
    assert text[claim.start : claim.end] == claim.text
    assert "\n\n" in claim.text


def test_it_continues_the_speaker_into_a_second_quote_in_the_same_paragraph(nlp):  # noqa: F811
    text = (
        'Headline\n\n"We will not stop until every terrorist is gone," Defence Minister Sergei '
        'Shoigu told reporters in Moscow. "Our pilots have flown 120 missions since Friday."'
    )
    claim = only_claim(text, nlp, "120 missions")
    assert (claim.claimant, claim.cue) == ("Sergei Shoigu", "told")
    assert text[claim.content_start : claim.content_end].startswith("Our pilots")


def test_it_reads_according_to_with_an_organisation(nlp):  # noqa: F811
    text = (
        "Headline\n\nAccording to the Syrian Observatory for Human Rights, nearly 400 civilians "
        "have died since September."
    )
    claim = only_claim(text, nlp, "400 civilians")
    assert claim.claimant == "the Syrian Observatory for Human Rights"
    assert claim.cue == "According to"
    assert text[claim.content_start : claim.content_end].startswith("nearly 400 civilians")
    assert [(q.value, q.unit, q.bound) for q in claim.quantities] == [(400.0, "civilians", "about")]


def test_it_keeps_a_passive_report_without_an_agent_in_the_articles_voice(nlp):  # noqa: F811
    text = "Headline\n\nIt was reported that the Su-24 bomber crashed in Latakia on Tuesday."
    claim = only_claim(text, nlp, "Su-24 bomber crashed")
    assert claim.claimant is None


def test_it_takes_the_source_of_a_nested_report_not_the_outlet_told(nlp):  # noqa: F811
    text = (
        "Headline\n\nA source told The Daily Mirror that 3 units will ensure Russia consolidates "
        "its position in the Middle East."
    )
    claim = only_claim(text, nlp, "A source told")
    assert (claim.claimant, claim.cue) == ("A source", "told")
