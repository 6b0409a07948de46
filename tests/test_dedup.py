"""factcheck.dedup: when two claims say the same thing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.dedup import (
    TERM_CHARS,
    best_match,
    candidate_blocks,
    claim_signature,
    duplicate_decision,
    numbers_key,
    similarity,
    stored_terms,
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


# --- Looking candidates up by blocks finds every claim a full comparison would ---------------

# A small vocabulary, so random claims share words often, and a few numbers.
VOCABULARY = "troops syria russia putin plans send strikes border aid city army talks".split()
sentences = st.lists(
    st.sampled_from([*VOCABULARY, "150,000", "147,000", "2015"]), min_size=1, max_size=14
).map(" ".join)


def in_a_block(signature, blocks) -> bool:
    """What the ClaimTerm look-up does for one stored claim: a block holds it when one of the
    block's words is among its terms and its size is in the block's range."""
    terms = set(stored_terms(signature))
    size = len(signature.words)
    return any(
        terms & {word[:TERM_CHARS] for word in block.words}
        and block.min_size <= size
        and (block.max_size is None or size <= block.max_size)
        for block in blocks
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    new=sentences,
    stored=st.lists(sentences, min_size=1, max_size=25),
    ranks=st.permutations(VOCABULARY),
    suggest_at=st.sampled_from([0.0, 0.3, 0.5, 0.65, 0.9]),
)
def test_blocks_hold_every_claim_that_could_be_suggested_and_the_same_best_match(
    new, stored, ranks, suggest_at
):
    signature = claim_signature(new)
    # Any word order is correct (only the blocks' sizes depend on it): a random one here.
    blocks = candidate_blocks(
        signature, lambda word: ranks.index(word) if word in ranks else 99, suggest_at=suggest_at
    )
    pool = [(n, claim_signature(text)) for n, text in enumerate(stored)]
    looked_up = [
        (n, s)
        for n, s in pool
        if numbers_key(s) == numbers_key(signature) and in_a_block(s, blocks)
    ]
    for n, s in pool:
        if similarity(signature, s) >= suggest_at and similarity(signature, s) > 0:
            assert (n, s) in looked_up
    everything, everything_score = best_match(signature, pool)
    found, found_score = best_match(signature, looked_up)
    if everything_score >= suggest_at:
        assert (found, found_score) == (everything, everything_score)


def test_a_claim_without_content_words_has_no_block():
    assert candidate_blocks(claim_signature("It was."), lambda word: 0, suggest_at=0.5) == []
