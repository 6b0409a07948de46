"""factcheck.dedup: when two claims say the same thing."""

from hypothesis import given
from hypothesis import strategies as st

from factcheck.dedup import (
    ClaimSignature,
    SignatureIndex,
    WindowIndex,
    claim_signature,
    duplicate_decision,
    similarity,
)


def score(a: str, b: str) -> float:
    return similarity(claim_signature(a), claim_signature(b))


def decide(a: str, b: str) -> str:
    shorter = min(claim_signature(a).word_count, claim_signature(b).word_count)
    return duplicate_decision(
        score(a, b), shorter_word_count=shorter, link_at=0.8, suggest_at=0.5, min_words=8
    )


def test_it_links_a_claim_repeated_with_light_rewording():
    a = "Putin announced plans to send 150,000 troops to Syria to wipe out the terror group."
    b = "Putin has announced plans to send 150,000 troops to Syria to wipe out the terror group"
    assert decide(a, b) == "link"


def test_it_never_links_claims_whose_numbers_differ():
    a = "Putin announced plans to send 150,000 troops to Syria to wipe out the terror group."
    b = "Putin announced plans to send 15,000 troops to Syria to wipe out the terror group."
    assert score(a, b) == 0.0
    assert decide(a, b) == "none"


def test_it_only_suggests_very_short_claims_even_when_identical():
    assert decide("Russia denied the strikes.", "Russia denied the strikes.") == "suggest"


def test_it_leaves_unrelated_claims_alone():
    a = "NATO called on Russia to cease strikes in Syria."
    b = "The humanitarian aid would be largely distributed in the city of Deir Ez-Zor."
    assert decide(a, b) == "none"


# --- The index gives what comparing with every claim gives ---------------------------------

WORDS = ["putin", "troops", "syria", "send", "strikes", "russia", "nato", "aid", "city", "plans"]
NUMBERS = ["", "150,000", "15,000", "2015"]
claim_texts = st.lists(st.sampled_from(WORDS), max_size=8).flatmap(
    lambda words: st.sampled_from(NUMBERS).map(lambda n: " ".join([*words, n]))
)


def scan(signatures: list[ClaimSignature], query: ClaimSignature) -> tuple[int, float] | None:
    """The plain way: compare with each in turn, keep the first strictly better."""
    best, best_score = None, 0.0
    for position, signature in enumerate(signatures):
        score = similarity(query, signature)
        if score > best_score:
            best, best_score = position, score
    return None if best is None else (best, best_score)


@given(st.lists(claim_texts, max_size=30), claim_texts)
def test_the_index_finds_the_match_a_full_scan_finds(desk: list[str], text: str):
    signatures = [claim_signature(t) for t in desk]
    index = SignatureIndex((1000 + i, s) for i, s in enumerate(signatures))
    query = claim_signature(text)
    found = index.best_match(query)
    expected = scan(signatures, query)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.key, found.score) == (1000 + expected[0], expected[1])
        assert found.word_count == signatures[expected[0]].word_count


def test_the_index_never_offers_a_claim_with_other_numbers():
    index = SignatureIndex([(1, claim_signature("Putin will send 15,000 troops to Syria"))])
    assert index.best_match(claim_signature("Putin will send 150,000 troops to Syria")) is None
    assert len(index) == 1


windows = st.dictionaries(st.integers(0, 40), claim_texts, max_size=30)


@given(windows, windows, windows, claim_texts)
def test_a_window_kept_between_articles_matches_as_a_fresh_index_would(
    first: dict[int, str], second: dict[int, str], third: dict[int, str], text: str
):
    # Claims come and go between articles (linked, aged out, rolled back and their ids
    # reused with other words); the kept index must answer as one built from scratch.
    kept = WindowIndex()
    query = claim_signature(text)
    for window in (first, second, third):
        among = kept.refresh(window.items())
        fresh = SignatureIndex((key, claim_signature(t)) for key, t in sorted(window.items()))
        assert among == set(window)
        assert kept.index.best_match(query, among) == fresh.best_match(query)


def test_a_kept_window_signs_only_what_it_has_not_seen(monkeypatch):
    from factcheck import dedup

    kept = WindowIndex()
    kept.refresh([(1, "Putin will send 150,000 troops to Syria")])
    signed = []
    monkeypatch.setattr(dedup, "claim_signature", lambda t: signed.append(t) or claim_signature(t))
    kept.refresh([(1, "Putin will send 150,000 troops to Syria"), (2, "NATO denied it")])
    assert signed == ["NATO denied it"]


def test_a_kept_window_forgets_claims_once_most_have_left_it():
    kept = WindowIndex()
    kept.refresh((key, f"Claim number {key} about Syria") for key in range(10))
    kept.refresh((key, f"Claim number {key} about Syria") for key in range(8, 11))
    # 10 signed, 2 still in the window of 3: rebuilt with the 3, not kept growing.
    assert len(kept.index) == 3
    assert {key for key in range(12) if key in kept.index} == {8, 9, 10}
