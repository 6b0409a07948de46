"""The public article page: the stored text, paragraphs kept and escaped, each claim with a
published verdict marked where it stands, followed by its verdict and a link to it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck.article_highlight import Highlight, Paragraph, Segment, paragraphs_with_highlights
from reviews import services
from reviews.models import Verdict
from tests.factories import make_article, make_claim, make_evidence

TEXT = (
    "Officials met in Geneva on Monday.\n\n"
    "The health minister said that 1,200 people were evacuated from the city.\n"
    "Buses left at dawn.\n\n"
    "The mayor said the bridge reopened in March. Talks continue."
)


def publish(claim, reviewer, editor, verdict=Verdict.SUPPORTED):
    make_evidence(claim=claim)
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=verdict,
        rationale="Checked.",
        evidence_ids=[claim.evidence.first().pk],
    )
    return services.review_publish(review=review, editor=editor)


def article_text_html(response) -> str:
    assert response.status_code == 200
    body = response.content.decode()
    return body[
        body.index('<div class="article-text">') : body.index(
            "</div>", body.index('<div class="article-text">')
        )
    ]


@pytest.mark.django_db
def test_each_published_claim_is_marked_in_place_with_its_verdict_and_a_link(
    client, reviewer, editor
):
    article = make_article(text=TEXT)
    evacuated = make_claim(article=article, sentence="1,200 people were evacuated from the city.")
    bridge = make_claim(article=article, sentence="the bridge reopened in March")
    unpublished = make_claim(article=article, sentence="Officials met in Geneva on Monday.")
    evacuated_review = publish(evacuated, reviewer, editor, Verdict.MISATTRIBUTED)
    bridge_review = publish(bridge, reviewer, editor)
    services.review_submit(
        claim=unpublished, reviewer=reviewer, verdict=Verdict.SUPPORTED, rationale="Yes."
    )

    # 1 the article, 2 its claims with their reviews: however many claims it has.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/articles/{article.pk}/")
    assert len(ctx) == 2, [q["sql"] for q in ctx.captured_queries]
    text = article_text_html(response)

    # Whitespace between tags (templates end in a newline) is the same to a reader.
    paragraphs = [" ".join(p.split()) for p in re.findall(r"<p>(.*?)</p>", text, re.S)]
    assert len(paragraphs) == 3
    assert paragraphs[0] == "Officials met in Geneva on Monday."  # not published: not marked
    assert paragraphs[1] == (
        "The health minister said that "
        f'<mark class="checked-claim" id="claim-{evacuated.pk}">'
        "1,200 people were evacuated from the city.</mark> "
        f'<a class="claim-verdict" href="/verdicts/{evacuated_review.pk}/">'
        '<span class="verdict verdict-misattributed">Misattributed</span> '
        '<span class="visually-hidden">: our verdict on this claim</span></a>'
        "<br>Buses left at dawn."
    )
    assert (
        f'<mark class="checked-claim" id="claim-{bridge.pk}">the bridge reopened in March</mark>'
        in paragraphs[2]
    )
    assert (
        f'href="/verdicts/{bridge_review.pk}/"><span class="verdict verdict-supported">'
        in paragraphs[2]
    )
    # The list above the text links to each claim's place in it.
    assert f'href="#claim-{evacuated.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_the_text_outside_and_inside_claims_is_escaped(client, reviewer, editor):
    text = (
        "<script>alert('x')</script> Officials & aides met.\n\n"
        "The minister said that <b>1,200</b> people were evacuated."
    )
    article = make_article(text=text)
    claim = make_claim(article=article, sentence="<b>1,200</b> people were evacuated.")
    publish(claim, reviewer, editor)
    html = article_text_html(client.get(f"/articles/{article.pk}/"))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Officials &amp; aides met." in html
    assert ">&lt;b&gt;1,200&lt;/b&gt; people were evacuated.</mark>" in html


@pytest.mark.django_db
def test_a_repeated_claim_is_marked_with_the_verdict_of_the_claim_it_repeats(
    client, reviewer, editor
):
    original = make_claim(article=make_article(text=TEXT), sentence="the bridge reopened in March")
    review = publish(original, reviewer, editor, Verdict.UNSUPPORTED)
    pasted = make_article(text="Reports say the bridge reopened in March.", source_url="")
    repeat = make_claim(article=pasted, sentence="the bridge reopened in March", canonical=original)
    html = article_text_html(client.get(f"/articles/{pasted.pk}/"))
    assert (
        f'<mark class="checked-claim" id="claim-{repeat.pk}">the bridge reopened in March</mark> '
        f'<a class="claim-verdict" href="/verdicts/{review.pk}/">'
        '<span class="verdict verdict-unsupported">Unsupported</span>'
    ) in html


# --- The pure cutting of the text ------------------------------------------------------------


def texts(paragraphs: list[Paragraph]) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.payload) for s in p.segments] for p in paragraphs]


def test_paragraphs_are_split_at_blank_lines_and_a_single_newline_stays_inside():
    assert texts(paragraphs_with_highlights("One.\nStill one.\n\n\n  Two.\n \nThree.", [])) == [
        [("One.\nStill one.", None)],
        [("Two.", None)],
        [("Three.", None)],
    ]


def test_a_highlight_is_placed_at_its_offsets():
    text = "Alpha beta gamma."
    start = text.index("beta")
    [paragraph] = paragraphs_with_highlights(text, [Highlight(start, start + 4, "B")])
    assert paragraph.segments == (
        Segment("Alpha "),
        Segment("beta", payload="B", starts=True, ends=True),
        Segment(" gamma."),
    )


def test_an_overlapping_highlight_is_left_out_and_the_earlier_one_kept():
    text = "Alpha beta gamma delta."
    highlights = [Highlight(6, 16, "beta gamma"), Highlight(11, 22, "gamma delta")]
    assert texts(paragraphs_with_highlights(text, highlights)) == [
        [("Alpha ", None), ("beta gamma", "beta gamma"), (" delta.", None)]
    ]


def test_a_highlight_across_a_paragraph_break_is_cut_there_and_ends_once():
    text = "One two.\n\nThree four."
    [first, second] = paragraphs_with_highlights(text, [Highlight(4, 15, "X")])
    assert first.segments[-1] == Segment("two.", payload="X", starts=True, ends=False)
    assert second.segments[0] == Segment("Three", payload="X", starts=False, ends=True)


def test_highlights_out_of_bounds_or_of_whitespace_only_are_left_out_and_edges_trimmed():
    text = "Alpha beta."
    highlights = [Highlight(5, 40, "too long"), Highlight(5, 6, "space"), Highlight(5, 11, "T")]
    [paragraph] = paragraphs_with_highlights(text, highlights)
    assert paragraph.segments == (
        Segment("Alpha "),
        Segment("beta.", payload="T", starts=True, ends=True),
    )
