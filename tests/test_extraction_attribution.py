"""factcheck.extraction.attribution, through extract_claims: claimant, cue, content."""

import pytest

from factcheck.extraction.pipeline import extract_claims
from factcheck.extraction.quotes import quote_regions

from .extraction_fixtures import claim_containing, nlp, seed  # noqa: F401

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


def test_it_attributes_the_seed_000_troops_claim_to_putin():
    text, result = seed("000")
    claim = claim_containing(result, text, "Putin announced plans to send 150,000 troops")
    assert (claim.claimant, claim.cue) == ("Putin", "announced")
    assert [(q.value, q.unit, q.bound) for q in claim.quantities] == [(150000.0, "troops", "exact")]


def test_it_gives_the_seed_002_kirby_quote_paragraph_to_kirby():
    text, result = seed("002")
    claim = claim_containing(result, text, "Greater than 90% of the strikes")
    assert claim.claimant == "Kirby" and claim.cue == "saying"


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


# --- Issue 9: attribution on unseen news --------------------------------------------------
# Every text below is made up for these tests.


def claim_with(text, nlp, anchor):  # noqa: F811
    """The claim holding ``anchor``, from a fresh extraction of ``text``."""
    return only_claim(text, nlp, anchor)


def test_it_gives_a_headline_quote_to_the_name_before_the_colon(nlp):  # noqa: F811
    text = (
        "Mayor Ortiz: “The new bridge will open to traffic in May.”\n\n"
        "The city council approved the last payment on Monday."
    )
    claim = claim_with(text, nlp, "The new bridge")
    assert (claim.claimant, claim.cue, claim.kind) == ("Ortiz", ":", "quote")
    assert claim.is_headline
    assert text[claim.content_start : claim.content_end].startswith("The new bridge will open")


def test_it_gives_a_headline_call_with_a_quote_to_the_caller_and_not_to_the_cue(nlp):  # noqa: F811
    text = (
        "Warren Calls For Ban Because “Voters deserve better than this mess.”\n\n"
        "Senator Elizabeth Warren spoke in Boston on Monday."
    )
    claim = claim_with(text, nlp, "Voters deserve better")
    assert claim.claimant == "Warren"
    assert claim.claimant_name == "Elizabeth Warren"
    assert claim.kind == "quote"


def test_it_gives_every_sentence_of_a_quote_to_the_speaker_named_at_its_end(nlp):  # noqa: F811
    text = (
        "Headline\n\nMayor Jane Ortiz presented the budget on Monday.\n\n"
        "“The budget is balanced. Every school gets new funding. We kept our promise,” "
        "she concluded."
    )
    claim = claim_with(text, nlp, "The budget is balanced. Every school gets new funding.")
    assert claim.claimant_name == "Jane Ortiz"
    assert claim.cue == "concluded"
    assert claim.kind == "quote"
    # One quotation, one claim: whether she said it is checked once.
    assert text[claim.content_start : claim.content_end] == (
        "The budget is balanced. Every school gets new funding. We kept our promise,"
    )
    assert text[claim.start : claim.end] == claim.text


def test_it_never_takes_a_claimant_from_inside_the_quoted_words(nlp):  # noqa: F811
    text = (
        "Headline\n\nThe council voted on Monday.\n\n"
        "“Critics said the plan would fail. They were wrong about the costs,” Ortiz said."
    )
    for anchor in ("Critics said the plan", "They were wrong"):
        claim = claim_with(text, nlp, anchor)
        assert claim.claimant == "Ortiz", anchor


def test_it_never_gives_a_bare_possessive_or_the_owner_as_the_claimant(nlp):  # noqa: F811
    text = (
        "Headline\n\nGovernor Mike Pence signed the bill.\n\n"
        "“The plan is dead and everybody knows it,” Pence’s spokesman said."
    )
    claim = claim_with(text, nlp, "The plan is dead")
    assert claim.claimant == "Pence’s spokesman"
    assert claim.claimant_name == "Pence’s spokesman"  # the spokesman, not Mike Pence
    assert text[claim.claimant_start : claim.claimant_end] == claim.claimant


def test_it_resolves_she_to_the_one_person_the_article_shows_is_a_woman(nlp):  # noqa: F811
    text = (
        "Headline\n\nMaria Alvarez met Tom Brown in Denver on Monday to discuss the water deal. "
        "Mrs. Alvarez chairs the water board; Mr. Brown runs the farm lobby.\n\n"
        "“The reservoir is half empty,” she said."
    )
    claim = claim_with(text, nlp, "The reservoir is half empty")
    assert claim.claimant_name == "Maria Alvarez"
    assert text[claim.claimant_start : claim.claimant_end] == claim.claimant


def test_it_does_not_guess_a_gender_the_article_does_not_give(nlp):  # noqa: F811
    text = (
        "Headline\n\nMaria Alvarez met Tom Brown in Denver on Monday to discuss the water deal. "
        "Mrs. Alvarez chairs the water board.\n\n“The reservoir is half empty,” she said."
    )
    claim = claim_with(text, nlp, "The reservoir is half empty")
    assert claim.claimant is None  # Tom Brown could be a woman, for all the article says
    assert "speaker unclear: 'she' could be 2 people" in claim.reasons


def test_it_leaves_a_pronoun_with_two_candidates_unresolved_and_says_why(nlp):  # noqa: F811
    text = (
        "Headline\n\nTom Baker met Sam Hill on Monday to discuss the water deal.\n\n"
        "“We agreed on nothing at all,” he said."
    )
    claim = claim_with(text, nlp, "We agreed on nothing")
    assert claim.claimant is None and claim.claimant_name is None
    assert claim.claimant_start is None
    assert any(r.startswith("speaker unclear:") and "'he'" in r for r in claim.reasons)


def test_it_resolves_a_title_to_the_person_introduced_with_it(nlp):  # noqa: F811
    text = (
        "Headline\n\nIndiana Gov. Mike Pence signed the bill on Thursday.\n\n"
        "“It protects everyone in this state,” the Indiana governor said."
    )
    claim = claim_with(text, nlp, "It protects everyone")
    assert claim.claimant == "the Indiana governor"  # as written, with its offsets
    assert text[claim.claimant_start : claim.claimant_end] == "the Indiana governor"
    assert claim.claimant_name == "Mike Pence"


def test_it_names_the_claimant_with_the_fullest_name_in_the_article(nlp):  # noqa: F811
    text = (
        "Headline\n\nRussian President Vladimir Putin arrived in Paris on Monday.\n\n"
        "“We will not withdraw our troops,” Putin said."
    )
    claim = claim_with(text, nlp, "We will not withdraw")
    assert (claim.claimant, claim.claimant_name) == ("Putin", "Vladimir Putin")


def test_it_keeps_mrs_clinton_as_written_when_two_clintons_are_named(nlp):  # noqa: F811
    text = (
        "Headline\n\nBill Clinton and Hillary Clinton arrived in Iowa on Monday.\n\n"
        "“The economy needs a fairer tax code,” Mrs. Clinton said."
    )
    claim = claim_with(text, nlp, "fairer tax code")
    assert claim.claimant_name == "Mrs. Clinton"


def test_a_new_quote_paragraph_continues_the_last_speaker(nlp):  # noqa: F811
    text = (
        "Headline\n\nOrtiz said: “The bridge is safe for every driver.\n\n"
        "“Engineers inspected every cable last week.”\n\nThe bridge opened in 1964."
    )
    claim = claim_with(text, nlp, "Engineers inspected")
    assert (claim.claimant, claim.cue) == ("Ortiz", "said")
    assert claim_with(text, nlp, "The bridge opened").claimant is None


def test_an_attributed_opinion_is_still_a_claim_of_kind_quote_or_attribution(nlp):  # noqa: F811
    text = (
        "Headline\n\n“This is the most beautiful bridge in the whole world,” Mayor Jane Ortiz "
        "said on Monday.\n\nOrtiz said the bridge was beautiful and everyone loves it."
    )
    quote = claim_with(text, nlp, "most beautiful bridge")
    assert (quote.kind, quote.label, quote.claimant) == ("quote", "check_worthy", "Jane Ortiz")
    reported = claim_with(text, nlp, "everyone loves it")
    assert (reported.kind, reported.label) == ("attribution", "check_worthy")
    assert reported.claimant_name == "Jane Ortiz"
    assert text[reported.content_start : reported.content_end].startswith("the bridge was")


def test_the_extract_command_prints_claimant_cue_and_content_spans(nlp, tmp_path):  # noqa: F811
    import io
    import json

    from django.core.management import call_command

    text = (
        "Headline\n\nRussian President Vladimir Putin arrived in Paris on Monday.\n\n"
        "“We will not withdraw our troops,” Putin said."
    )
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("extract", str(path), "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    quote = next(line for line in lines if "withdraw" in line["text"])
    who = quote["claimant"]
    assert (who["text"], who["name"]) == ("Putin", "Vladimir Putin")
    assert text[who["start"] : who["end"]] == "Putin"
    assert quote["cue"] == "said"
    assert text[quote["content"]["start"] : quote["content"]["end"]].startswith("We will not")
    arrived = next(line for line in lines if "arrived" in line["text"])
    assert arrived["claimant"] is None and arrived["content"] is None


@pytest.mark.django_db
def test_a_stored_claim_keeps_the_claimant_name_and_content_span(nlp):  # noqa: F811
    from factcheck.models import Claim
    from factcheck.services import claim_from_candidate

    from .factories import make_article

    text = (
        "Headline\n\nRussian President Vladimir Putin arrived in Paris on Monday.\n\n"
        "“We will not withdraw our troops,” Putin said."
    )
    candidate = claim_with(text, nlp, "We will not withdraw")
    article = make_article(text=text)
    claim_from_candidate(article, candidate).save()
    stored = Claim.objects.get(article=article)
    assert (stored.kind, stored.claimant, stored.claimant_name) == (
        "quote",
        "Putin",
        "Vladimir Putin",
    )
    assert (stored.content_start, stored.content_end) == (
        candidate.content_start,
        candidate.content_end,
    )


def test_it_names_nobody_when_one_sentence_quotes_two_speakers(nlp):  # noqa: F811
    text = (
        'Headline\n\nTed Cruz accuses the mayor of "leading from behind" and Jane Ortiz says he '
        'is "losing the budget fight."'
    )
    claim = claim_with(text, nlp, "leading from behind")
    assert claim.claimant is None
    assert any(r.startswith("speaker unclear: two speakers") for r in claim.reasons)


def test_a_speaker_who_opens_the_next_quote_does_not_take_the_one_before(nlp):  # noqa: F811
    text = (
        "Headline\n\n“We are farmers,” Ms. Alawee said. “We are not smugglers.” Mr. Zahed said: "
        "“The flood that came last week is the worst thing for us.”"
    )
    assert claim_with(text, nlp, "We are not smugglers").claimant == "Ms. Alawee"
    assert claim_with(text, nlp, "The flood that came").claimant == "Mr. Zahed"


def test_it_gives_transcript_paragraphs_to_the_speaker_named_before_the_colon(nlp):  # noqa: F811
    text = (
        "Headline\n\nGovernor Mike Pence sat down with Chris Wallace on Sunday.\n\n"
        "PENCE: Well, I think the campaign has moved on. We are talking about jobs and taxes "
        "now.\n\nWASHINGTON: The city has a new mayor who took office last week."
    )
    for anchor in ("the campaign has moved on", "jobs and taxes"):
        claim = claim_with(text, nlp, anchor)
        assert (claim.claimant, claim.claimant_name, claim.cue) == ("PENCE", "Mike Pence", ":")
    assert claim_with(text, nlp, "a new mayor").claimant is None  # a dateline, not a speaker


def test_it_gives_a_quote_to_the_speaker_named_before_it_or_between_its_parts(nlp):  # noqa: F811
    before = (
        "Headline\n\nOrtiz told the council: “The budget is balanced. Every school gets new "
        "funding this year.”"
    )
    claim = claim_with(before, nlp, "Every school gets new funding")
    assert (claim.claimant, claim.cue) == ("Ortiz", "told")
    between = (
        "Headline\n\n“The budget is balanced,” Ortiz said. “Every school gets new funding "
        "this year.”"
    )
    claim = claim_with(between, nlp, "Every school gets new funding")
    assert (claim.claimant, claim.cue) == ("Ortiz", "said")


def test_a_dash_signature_names_the_quote_before_it_not_the_next_line(nlp):  # noqa: F811
    text = (
        "What voters told us\n\n"
        "“Hearing his words makes me afraid for the future of our young people.” ― Krystal "
        "Correa\n“He is obsessed with Mexico and he answers every question with a threat.” ― "
        "Esther Tapia\n"
    )
    first = only_claim(text, nlp, "afraid for the future")
    second = only_claim(text, nlp, "obsessed with Mexico")
    assert first.claimant == "Krystal Correa"
    assert second.claimant == "Esther Tapia"


def test_an_ad_or_a_speech_is_not_a_claimant(nlp):  # noqa: F811
    text = (
        "Headline\n\nThe ad says the senator voted to cut 40,000 teaching jobs in the state last "
        "year."
    )
    claim = only_claim(text, nlp, "teaching jobs")
    assert claim.claimant is None
    assert any("carries someone's words" in reason for reason in claim.reasons)
