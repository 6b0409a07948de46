"""factcheck.dedup: when two claims say the same thing."""

from factcheck.dedup import claim_signature, duplicate_decision, similarity


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
