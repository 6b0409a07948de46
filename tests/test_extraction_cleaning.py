"""factcheck.extraction.cleaning: paragraphs, site chrome with reasons, offsets kept."""

import pytest

from factcheck.extraction.cleaning import clean, split_paragraphs

from .extraction_fixtures import seed_texts


def removed_text(text, cleaned):
    return [(text[r.start : r.end], r.reason) for r in cleaned.removals]


def kept_text(cleaned):
    return "\n".join(s.text for s in cleaned.segments)


def test_it_splits_paragraphs_on_blank_lines_with_original_offsets():
    text = "\n\nFirst line\ncontinues.\n\n  \nSecond.  \n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == ["First line\ncontinues.", "Second."]
    assert all(text[p.start : p.end] == p.text for p in paragraphs)


def test_it_removes_a_donation_widget_with_its_reason():
    text = "0 $\n2,500 $\n5,000 $\n\nHeadline here\n\nThe army said 5 towns fell."
    cleaned = clean(text)
    assert ("0 $\n2,500 $\n5,000 $", "donation widget") in removed_text(text, cleaned)
    assert "2,500" not in kept_text(cleaned)


def test_it_removes_support_and_membership_buttons():
    text = "Title\n\nSupport SouthFront\n\nBody text says a thing.\n\n## **Become a Member of X**"
    cleaned = clean(text)
    reasons = dict(removed_text(text, cleaned))
    assert reasons["Support SouthFront"].startswith("call to action")
    assert "Become a Member" not in kept_text(cleaned)


def test_it_drops_the_comment_widget_and_every_reader_comment_after_it():
    text = (
        "Title\n\nThe article says something.\n\nNotify of\n1 Comment\nNewest Most Voted\n\n"
        "A reader thinks the West is double dealing.\n\nWould love your thoughts, please comment."
    )
    cleaned = clean(text)
    assert kept_text(cleaned).endswith("The article says something.")
    assert all("comment" in reason for _, reason in removed_text(text, cleaned)[-3:])


def test_it_keeps_a_caption_but_removes_its_wikipedia_credit():
    text = "Russia sends forces\n\nTroopers in 2006. Reports said 100 died.(Wikipedia)\n\nBody."
    cleaned = clean(text)
    assert ("(Wikipedia)", "photo credit") in removed_text(text, cleaned)
    caption = next(s for s in cleaned.segments if s.role == "caption")
    assert caption.text.endswith("100 died.")


def test_it_removes_a_photo_credit_line():
    text = "Title\n\n© Photo: Russian Defence Ministry\n\nBody sentence here."
    assert ("© Photo: Russian Defence Ministry", "photo credit") in removed_text(text, clean(text))


def test_it_marks_the_first_line_as_headline_and_a_repeat_of_it_as_chrome():
    text = "Russia’s Involvement in Syria\n\nDek line.\n\nRussia's Involvement in Syria\n\nBody."
    cleaned = clean(text)
    assert cleaned.segments[0].role == "headline"
    assert ("Russia's Involvement in Syria", "headline repeated in the page") in removed_text(
        text, cleaned
    )


def test_it_removes_byline_dateline_and_region_theme_lines():
    text = (
        "# A Headline\n\nBy [Stephen Lendman](#)\n\nGlobal Research, October 09, 2015\n\n"
        "Region: [Russia and FSU](#)\n\nTheme: [Militarization and WMD](#)\n\nBody text."
    )
    reasons = [reason for _, reason in removed_text(text, clean(text))]
    assert {"byline", "dateline", "region/theme line"} <= set(reasons)


def test_it_keeps_the_visible_text_of_markdown_links_and_maps_it_back():
    text = "Title\n\n[RT International](#) reported that 5 camps exist."
    cleaned = clean(text)
    body = cleaned.segments[-1]
    assert body.text.startswith("RT International reported")
    i = body.text.index("reported")
    a, b = body.to_original(i, i + len("reported"))
    assert text[a:b] == "reported"
    a, b = body.to_original(0, len("RT International"))
    assert text[a:b] == "RT International"


def test_it_removes_email_addresses_and_bare_urls():
    text = "Title\n\nWrite to x.y@example.org or see <http://example.org/a> for the 5 claims."
    cleaned = clean(text)
    reasons = dict(removed_text(text, cleaned))
    assert reasons["x.y@example.org"] == "e-mail address"
    assert reasons["<http://example.org/a>"] == "bare URL"
    assert "@" not in kept_text(cleaned)


def test_it_drops_author_bio_copyright_and_disclaimer_trailer():
    text = (
        "Title\n\nBody sentence.\n\n*Jane Doe* lives in Chicago. She can be reached at "
        "j@d.net.\n\nThe original source of this article is Global Research\nCopyright © Jane"
        "\n\n**Disclaimer:** The contents of this article are of sole responsibility."
    )
    cleaned = clean(text)
    assert kept_text(cleaned).endswith("Body sentence.")
    assert "sole responsibility" not in kept_text(cleaned)


def test_it_rejoins_a_paragraph_broken_inside_a_quotation_keeping_offsets():
    text = 'Title\n\nHaddad said "strikes by Russia\'s aerospace\n\nforces are precise."'
    cleaned = clean(text)
    body = cleaned.segments[-1]
    assert "aerospace forces are precise" in body.text
    i = body.text.index("aerospace")
    j = body.text.index("precise") + len("precise")
    a, b = body.to_original(i, j)
    assert text[a:b] == "aerospace\n\nforces are precise"
    assert body.start == text.index("Haddad") and body.end == len(text)


def test_it_does_not_join_a_heading_to_the_next_paragraph():
    text = "Title\n\nBody one.\n\nA Final Comment\n\nRT reported five camps."
    assert len(clean(text).segments) == 4


def test_it_keeps_every_gold_claim_and_removes_every_chrome_not_claim_in_the_seeds():
    from factcheck.extraction.evaluation import load_gold

    gold = load_gold()
    for name, text in seed_texts().items():
        cleaned = clean(text)
        kept = [(s.start, s.end) for s in cleaned.segments]
        for item in gold["articles"][name]["claims"]:
            assert any(a <= item["start"] and item["end"] <= b for a, b in kept), item["id"]
        for item in gold["articles"][name]["not_claims"]:
            if "opinion" in item["why"]:
                continue  # opinions are article text; the decision step handles them
            for start, end in item["occurrences"]:
                assert any(r.start <= start and end <= r.end for r in cleaned.removals), item["id"]


def test_it_splits_windows_line_endings_and_one_paragraph_per_line_copy():
    text = "Title\r\n\r\nFirst paragraph ends here.\r\nSecond one starts here.\r\n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "Title",
        "First paragraph ends here.",
        "Second one starts here.",
    ]
    assert all(text[p.start : p.end] == p.text for p in paragraphs)


def test_it_cuts_a_huge_paragraph_into_pieces_at_sentence_ends_keeping_offsets():
    sentence = "The army said 12 towns fell near Homs on Monday. "
    text = "Title\n\n" + sentence * 2_000  # ~100 KB without a blank line
    cleaned = clean(text)
    body = [s for s in cleaned.segments if s.role != "headline"]
    assert len(body) > 1
    assert all(len(s.text) <= 20_000 for s in body)
    for s in body:
        assert s.text.startswith("The army said") and s.text.endswith("Monday.")
        a, b = s.to_original(0, len(s.text))
        assert text[a:b] == s.text
        assert (s.start, s.end) == (a, b)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Support for the war fell to 30 percent in March.",
        "Support for the war is falling.",
        "By Monday, the army had taken five towns.",
        "The family lives in Aleppo and fled in 2015.",
        "Copyright law was not the issue, the court said.",
        "The ministry's disclaimer was published on Monday.",
    ],
)
def test_it_keeps_body_sentences_that_merely_look_like_chrome(paragraph):
    text = f"Headline\n\nFirst body paragraph.\n\n{paragraph}\n\nLast body paragraph."
    cleaned = clean(text)
    assert paragraph in [s.text for s in cleaned.segments]
    assert cleaned.segments[-1].text == "Last body paragraph."
