"""Candidate pages, sentence splitting, ranking, hints, and retrieval quality against the
gold annotations (reported as figures)."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.hints import evidence_hints
from factcheck.evidence.ranking import (
    candidate_titles,
    key_phrase,
    rank_sentences,
    split_sentences,
)
from factcheck.evidence.sources import pages_for_claim
from factcheck.evidence.types import ClaimQuery, Hint, PageSection, PageSnapshot, RankedSentence
from tests.wikipedia_double import CORPUS_FILES

INTERVENTION = "Russian military intervention in the Syrian civil war"
INVOLVEMENT = "Russian involvement in the Syrian civil war"
TROOPS_CLAIM = (
    "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria "
    "to wipe out the terror group."
)
HEADLINE_000 = (
    "Russia sends 'most ruthless' special forces to root out ISIS, other Assad foes in Syria"
)


@pytest.fixture(scope="module")
def corpus() -> CorpusSource:
    return CorpusSource(CORPUS_FILES)


def page(title: str, *sections: tuple[str, str], revision: int | None = 1) -> PageSnapshot:
    return PageSnapshot(
        wiki="en.wikipedia.org",
        title=title,
        url="https://en.wikipedia.org/wiki/" + title.replace(" ", "_"),
        sections=tuple(PageSection(h, t) for h, t in sections),
        source="live",
        revision_id=revision,
    )


# --- Candidate pages and search phrases ---------------------------------------------------


def test_it_derives_candidate_titles_from_capitalised_phrases_and_aliases():
    titles = candidate_titles(ClaimQuery(text=TROOPS_CLAIM, claimant="Putin"))
    assert titles[:2] == ["Moscow", "Russia"]
    assert {"Putin", "Vladimir Putin", "Syria"} <= set(titles)


def test_it_prefers_the_claims_entity_names_when_given():
    query = ClaimQuery(text="Gen. Valery Gerasimov said so.", entity_names=("Valery Gerasimov",))
    assert candidate_titles(query) == ["Valery Gerasimov"]


def test_it_drops_job_titles_possessives_and_sentence_openers():
    text = (
        "Following a formal request from Damascus, NATO Secretary-General Jens Stoltenberg "
        "said Russia's Damascus-led forces are on a roll."
    )
    titles = candidate_titles(ClaimQuery(text=text))
    assert "Jens Stoltenberg" in titles and "NATO" in titles and "Damascus" in titles
    assert not any(t.startswith(("Following", "Secretary")) or "-led" in t for t in titles)


def test_it_builds_a_short_key_phrase_with_the_encyclopedias_names():
    phrase = key_phrase(ClaimQuery(text=TROOPS_CLAIM))
    assert len(phrase.split()) <= 8
    assert phrase.startswith("Vladimir Putin") or "Russia" in phrase
    assert "the" not in phrase.split()


# --- Sentences ----------------------------------------------------------------------------


def test_it_splits_sentences_with_stable_indices_and_section_headings():
    snapshot = page(
        "Example",
        ("", "Gen. Valery Gerasimov spoke. U.S. forces left in 2019.[3] Then more came."),
        ("Aftermath", "Short.\nA new paragraph starts here! Does it end? Yes, it does."),
    )
    sentences = split_sentences(snapshot)
    assert sentences == [
        (0, "", "Gen. Valery Gerasimov spoke."),
        (1, "", "U.S. forces left in 2019."),
        (2, "", "Then more came."),
        (3, "Aftermath", "Short."),
        (4, "Aftermath", "A new paragraph starts here!"),
        (5, "Aftermath", "Does it end?"),
        (6, "Aftermath", "Yes, it does."),
    ]
    assert split_sentences(snapshot) == sentences


def test_it_keeps_sentence_indices_of_the_corpus_stable(corpus):
    snapshot = corpus.pages[INTERVENTION]
    sentences = split_sentences(snapshot)
    assert len(sentences) > 300
    assert [i for i, _, _ in sentences] == list(range(len(sentences)))
    assert sentences[0][2].startswith("The Russian military intervention in the Syrian civil war")


# --- Ranking ------------------------------------------------------------------------------


def test_it_ranks_entity_and_number_matches_first():
    pages = [
        page(
            "Russian military intervention in the Syrian civil war",
            ("", "Russia began air strikes in Syria in September 2015. The weather was mild."),
            ("Operations", "Russia flew 6,000 sorties over Syria by January 2016."),
        ),
        page("Cooking", ("", "Soup needs 6 carrots and salt. Stir for ten minutes.")),
    ]
    query = ClaimQuery(text="After 6,000 sorties, Russia is on a roll in Syria.")
    ranked = rank_sentences(query, pages, top_k=5)
    assert ranked[0] == RankedSentence(
        page_title="Russian military intervention in the Syrian civil war",
        sentence_index=2,
        sentence="Russia flew 6,000 sorties over Syria by January 2016.",
        section="Operations",
        score=ranked[0].score,
        method="bm25+entity+number+quantity",
    )
    assert all(item.page_title != "Cooking" for item in ranked)


def test_it_keeps_at_most_two_sentences_per_page(corpus):
    pages = list(corpus.fetch_pages([INTERVENTION, INVOLVEMENT, "Syria"]).values())
    ranked = rank_sentences(ClaimQuery(text="Russia bombed Syria"), pages, top_k=5)
    assert len(ranked) == 5
    counts = {t: [r.page_title for r in ranked].count(t) for t in {r.page_title for r in ranked}}
    assert max(counts.values()) <= 2
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_it_scores_sentences_with_the_bm25_of_bm25s():
    import bm25s
    import numpy as np

    from factcheck.evidence.page_index import cached_index
    from factcheck.evidence.ranking import _bm25, _pool
    from factcheck.evidence.text import tokenize

    pages = [
        page(
            "A",
            ("", "Russia began air strikes in Syria. The strikes hit Idlib and Hama today."),
            ("More", "Russian jets flew sorties over Syria for months on end."),
        ),
        page("B", ("", "Turkey shot down a Russian jet near the Syrian border in November.")),
    ]
    pool = _pool([cached_index(p) for p in pages])
    documents = [tokenize(pool.sentence(row)[3]) for row in range(len(pool.page_of))]
    reference = bm25s.BM25()
    reference.index(documents, show_progress=False)
    query = tokenize("Russian jets strikes over Syria")
    assert np.allclose(_bm25(pool, query), reference.get_scores(query), rtol=1e-5)


def test_it_counts_an_entity_once_whatever_alias_names_it():
    from factcheck.evidence.ranking import entity_groups, name_patterns

    names = ("Islamic State", "ISIS", "IS", "Daesh", "Russia", "Moscow", "Valery Gerasimov")
    assert entity_groups(names) == [
        ("Islamic State", "ISIS", "IS", "Daesh"),
        ("Russia", "Moscow"),
        ("Valery Gerasimov",),
    ]
    islamic_state, russia, gerasimov = name_patterns(names)
    assert islamic_state.search("Daesh fighters") and islamic_state.search("IS fighters")
    assert not islamic_state.search("This is a state matter")  # not "is", not "state"
    assert russia.search("Russian jets") and russia.search("officials in Moscow")
    assert gerasimov.search("General Gerasimov said")


def test_it_returns_nothing_without_pages_or_matches():
    assert rank_sentences(ClaimQuery(text="Russia bombed Syria"), []) == []
    pages = [page("Cooking", ("", "Soup needs carrots and salt today."))]
    assert rank_sentences(ClaimQuery(text="Russia bombed Syria"), pages) == []


def test_it_flags_the_150000_troops_claim_against_the_intervention_articles(corpus):
    query = ClaimQuery(text=TROOPS_CLAIM, claimant="Putin", context=HEADLINE_000)
    ranked = rank_sentences(query, pages_for_claim(corpus, query, HEADLINE_000), top_k=5)
    assert {INTERVENTION, INVOLVEMENT} & {item.page_title for item in ranked}
    hints = evidence_hints(query, ranked)
    mismatches = [h for h in hints if h.kind == "number_mismatch"]
    assert len(mismatches) == 1
    assert "150,000 troops" in mismatches[0].message
    assert mismatches[0].page_title in {INTERVENTION, INVOLVEMENT}
    assert "48,000" in mismatches[0].message


def test_it_flags_the_150000_troops_claim_without_the_headline(corpus):
    query = ClaimQuery(text=TROOPS_CLAIM, claimant="Putin")
    ranked = rank_sentences(query, pages_for_claim(corpus, query), top_k=5)
    assert {INTERVENTION, INVOLVEMENT} & {item.page_title for item in ranked}
    assert "number_mismatch" in [h.kind for h in evidence_hints(query, ranked)]


# --- Hints --------------------------------------------------------------------------------


def ranked(*sentences: str, title: str = INVOLVEMENT) -> list[RankedSentence]:
    return [RankedSentence(title, i, s, "", 1.0 - i / 10, "bm25") for i, s in enumerate(sentences)]


def test_it_flags_figures_for_the_same_kind_of_thing_that_disagree():
    evidence = ranked(
        "In addition to air forces, ground forces include 6 T-90 tanks, 15 artillery pieces, "
        "35 armored personnel carriers and 200 Marines (with housing facilities for 1,500 "
        "personnel).",
        "By the end of 2017, 48,000 Russian servicemen had rotated through Syria.",
    )
    hints = evidence_hints(ClaimQuery(text=TROOPS_CLAIM, claimant="Putin"), evidence)
    (mismatch,) = [h for h in hints if h.kind == "number_mismatch"]
    for figure in ("150,000 troops", "200 Marines", "1,500 personnel", "48,000 Russian servicemen"):
        assert figure in mismatch.message
    assert "6 T-90 tanks" not in mismatch.message  # tanks are not troops


def test_it_notes_a_matching_figure():
    hints = evidence_hints(
        ClaimQuery(text="After four months and 6,000 sorties, Russia is on a roll."),
        ranked("Russian jets flew more than 6,000 sorties by January 2016."),
    )
    assert [h.kind for h in hints] == ["number_match"]


def test_it_stays_quiet_about_figures_of_an_unknown_kind():
    hints = evidence_hints(
        ClaimQuery(text="Russia has 12 reasons to stay."),
        ranked("Russia built 3 bridges."),
    )
    assert hints == []


def test_it_says_whether_the_claimant_appears_in_the_evidence():
    query = ClaimQuery(text="Russia is winning.", claimant="Valery Gerasimov")
    present = evidence_hints(query, ranked("General Gerasimov said Russia was winning."))
    absent = evidence_hints(query, ranked("Russia was winning, observers said."))
    assert present == [
        Hint(
            kind="claimant_present",
            message=f"Wikipedia names Valery Gerasimov in “{INVOLVEMENT}”.",
            page_title=INVOLVEMENT,
            sentence_index=0,
        )
    ]
    assert [h.kind for h in absent] == ["claimant_absent"]


def test_it_flags_dates_that_disagree():
    query = ClaimQuery(text="Moscow launched its aerial campaign on September 30.")
    same = evidence_hints(query, ranked("Russia began air strikes on 30 September 2015."))
    other = evidence_hints(query, ranked("Russia began air strikes on 3 September 2015."))
    assert [h.kind for h in same] == ["date_match"]
    assert [h.kind for h in other] == ["date_mismatch"]
    assert other[0].message == (
        f"The claim says September 30; Wikipedia gives 3 September 2015 ({INVOLVEMENT})."
    )


def test_it_gives_no_hints_without_evidence():
    assert evidence_hints(ClaimQuery(text=TROOPS_CLAIM, claimant="Putin"), []) == []


# --- The evidence command ------------------------------------------------------------------


def test_it_prints_evidence_as_json_lines():
    out = StringIO()
    call_command(
        "evidence",
        TROOPS_CLAIM,
        "--claimant",
        "Putin",
        "--source",
        "corpus",
        "--format",
        "jsonl",
        stdout=out,
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 5
    assert set(records[0]) == {
        "page_title",
        "revision",
        "snapshot_date",
        "permalink",
        "section",
        "sentence_index",
        "sentence",
        "score",
        "method",
        "hints",
    }
    assert records[0]["snapshot_date"] == "2023-06-16"
    assert any(h["kind"] == "number_mismatch" for r in records for h in r["hints"])


# --- Names found by str.find are the names the patterns find -------------------------------

_NAME_PAGE_TEXT = (
    "Russia and the Russian army sent troops. IS fighters left; ISIS is not IS. "
    "The U.S. and the US Navy used bases. Putin's aide met Vladimir Putin in Moscow. "
    "Islamic State (IS) lost Raqqa. Rusia is a typo. Prussia is not Russia."
)
_NAME_WORDS = ["russia", "putin", "vladimir putin", "islamic state", "moscow", "army", "us"]
_NAME_ACRONYMS = ["IS", "ISIS", "US", "U.S.", "UN"]


@given(
    words=st.frozensets(st.sampled_from(_NAME_WORDS), max_size=3),
    acronyms=st.frozensets(st.sampled_from(_NAME_ACRONYMS), max_size=2),
    order=st.permutations(range(3)),
)
def test_the_name_index_finds_the_rows_the_name_pattern_finds(words, acronyms, order):
    from factcheck.evidence.page_index import build_index, names_regex
    from factcheck.evidence.ranking import _Block

    sentences = [s + "." for s in _NAME_PAGE_TEXT.split(". ")]
    pages = [
        build_index(page(f"Page {n}", ("", " ".join(sentences[n * 3 : n * 3 + 4])))) for n in order
    ]
    pattern = names_regex(words, acronyms)
    expected = []
    starts = np.cumsum([0] + [len(p.rankable) for p in pages])[:-1]
    for start, index in zip(starts.tolist(), pages, strict=True):
        rows = [
            row
            for row, position in enumerate(index.rankable)
            if pattern.search(index.sentences[position][2])
        ]
        assert _Block([index]).rows_naming(words, acronyms).tolist() == rows
        expected += [start + row for row in rows]

    block = _Block(pages)
    assert block.rows_naming(words, acronyms).tolist() == expected
    # Asked again, in any combination, a literal's rows come from the caches unchanged.
    assert block.rows_naming(words, acronyms).tolist() == expected


def test_lower_casing_never_makes_a_word_character_of_another_or_the_reverse():
    # The name look-up finds word starts in the lower-cased text and keeps them for the text
    # as written (PageIndex._word_starts_with): that holds because of this.
    for code in range(0x110000):
        char = chr(code)
        assert char.isalnum() == char.lower()[:1].isalnum(), hex(code)


# Letters whose case is tricky (dotted capital I, final sigma, ß), digits, an underscore and
# separators: the word-start look-up has to agree with a plain scan on all of them.
_TRICKY = "aAbBsSıİσςΣßẞ1_ .-\n'é"


@given(
    sentences=st.lists(st.text(alphabet=_TRICKY, min_size=1, max_size=40), min_size=1, max_size=8),
    data=st.data(),
    whole=st.booleans(),
)
def test_the_word_start_look_up_finds_what_a_scan_of_the_page_finds(sentences, data, whole):
    from factcheck.evidence.page_index import _lower_in_place, _starts_of, build_index

    # Three plain words make every sentence a rankable row.
    index = build_index(page("Page", ("", "\n".join(f"one two three {s}" for s in sentences))))
    # Mostly a piece of the page, as written or lower-cased, so that it is found somewhere.
    source = data.draw(st.sampled_from([*sentences, *map(str.lower, sentences)]))
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    literal = data.draw(st.sampled_from([source[start:end], source[start:end] + "a"]))
    text = index.text if whole else _lower_in_place(index.text)
    offsets = _starts_of(text, (literal,), whole=whole)
    expected = sorted(set(np.searchsorted(index.starts, offsets, "right") - 1))
    assert index.rows_with(literal, whole=whole).tolist() == expected


def test_a_name_longer_than_the_sort_key_is_found_whole():
    from factcheck.evidence.page_index import WORD_KEY, build_index

    name = "russian armed forces of the federation"
    assert len(name) > WORD_KEY
    index = build_index(
        page(
            "Page",
            ("", "The Russian Armed Forces of the Federation moved. Russian armed forces left."),
        )
    )
    assert index.rows_with(name, whole=False).tolist() == [0]
    assert index.rows_with("russian armed forces", whole=False).tolist() == [0, 1]
