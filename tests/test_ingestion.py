"""factcheck.ingestion: bytes and a file name in, an ArticleDraft or a one-line reason out."""

import dataclasses

import pytest

from factcheck.ingestion import IngestError, check_draft, read_document
from tests.conftest import SEEDS_DIR

LIMIT = 1024 * 1024


def draft_of(data: bytes, filename: str = "article.txt"):
    return read_document(data, filename=filename, max_bytes=LIMIT)


def test_it_takes_the_title_from_the_first_line_of_plain_text():
    draft = draft_of((SEEDS_DIR / "000_78987c1eabe726c7.txt").read_bytes())
    assert draft.title.startswith("Russia sends 'most ruthless' special forces")


def test_it_skips_a_donation_widget_line_when_choosing_a_title():
    draft = draft_of((SEEDS_DIR / "001_f4262dc85348364a.txt").read_bytes())
    assert draft.title == "Russia\u2019s Involvement in Syria Puts ISIS in Hell"


def test_it_takes_the_title_from_the_first_markdown_heading_and_reads_byline_and_date():
    draft = draft_of((SEEDS_DIR / "002_8d4d6b896af71e55.txt").read_bytes())
    assert draft.title.startswith("Russia and Syria on the Offensive Against ISIS")
    assert draft.byline == "Stephen Lendman"
    assert draft.published_on.isoformat() == "2015-10-09"


def test_the_same_text_hashes_the_same_whatever_the_line_endings():
    unix = draft_of(b"Title line here\n\nPutin said 150,000 troops would go.\n")
    windows = draft_of(b"Title line here\r\n\r\nPutin said 150,000 troops would go.\r\n")
    assert unix.content_hash == windows.content_hash


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "empty.txt", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "picture.txt", "binary file"),
        ("Caf\u00e9 news today in Paris".encode("latin-1"), "latin1.txt", "not valid UTF-8"),
        (b"Some words here", "sheet.xlsx", "unsupported file type"),
        (b"1234 5678\n\n$ 99", "numbers.txt", "no readable text"),
    ],
)
def test_it_refuses_bad_input_with_a_one_line_reason(data, filename, reason):
    with pytest.raises(IngestError) as caught:
        draft_of(data, filename)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message


def test_it_refuses_a_file_over_the_size_limit():
    with pytest.raises(IngestError, match="over the 100-byte limit"):
        read_document(b"word " * 100, filename="big.txt", max_bytes=100)


def test_it_strips_scripts_and_styles_from_html_and_keeps_paragraphs():
    html = b"""<!doctype html><html><head><title>Page title</title>
    <meta name="author" content="Jane Reporter"><script>alert('x')</script></head>
    <body><h1>Putin's plan</h1><p>Putin announced plans to send <b>150,000</b> troops.</p>
    <script>document.cookie</script><style>p{color:red}</style>
    <p onclick="evil()">NATO called on Russia to stop.</p></body></html>"""
    draft = draft_of(html, "story.html")
    assert draft.title == "Putin's plan"
    assert "alert" not in draft.text and "document.cookie" not in draft.text
    assert "color:red" not in draft.text
    assert "Putin announced plans to send 150,000 troops." in draft.text
    assert "\n\nNATO called on Russia to stop." in draft.text
    assert draft.byline == "Jane Reporter"
    assert "script" in draft.removed_elements


def test_it_reads_utf8_with_a_byte_order_mark_and_utf16():
    text = "Ankara says Russian jets crossed into Turkish airspace twice."
    assert draft_of(b"\xef\xbb\xbf" + text.encode()).text == text
    assert draft_of(text.encode("utf-16")).text == text


# --- Hostile input ----------------------------------------------------------------------------


def test_a_stray_nul_after_the_first_8_kb_is_removed_and_counted():
    data = ("Talks in Geneva go on today\n\n" + "word " * 2000).encode() + b"x\x00y\x01z.\n"
    draft = draft_of(data)
    assert draft.text.endswith("xyz.")
    assert draft.removed_control_characters == 2


def test_a_nul_in_the_first_8_kb_still_refuses_the_file_as_binary():
    with pytest.raises(IngestError, match="binary file"):
        draft_of(b"Talks in Geneva\x00 go on today")


def test_a_file_that_is_mostly_control_characters_after_8_kb_is_refused_as_binary():
    data = ("Talks in Geneva go on today\n\n" + "word " * 2000).encode() + b"\x01" * 20_000
    with pytest.raises(IngestError, match="binary file: 20,000 of ") as caught:
        draft_of(data)
    assert "\n" not in str(caught.value)


def test_tabs_newlines_and_form_feeds_are_kept_and_c1_controls_removed():
    draft = draft_of("Talks in Geneva go on\n\nOne\ttwo\fthree\u0085four\u009b.".encode())
    assert draft.text.endswith("One\ttwo\fthreefour.")


def test_nul_and_controls_in_html_metadata_are_removed():
    # After the first 8 KB, where a NUL no longer makes the file binary.
    html = (
        "<!--"
        + "padding " * 1200
        + "-->"
        + (
            "<html><head><title>T\x00itle</title>"
            '<meta name="author" content="Jane\x00 Re\x07porter">'
            '<meta property="og:site_name" content="Out\x00let"></head>'
            "<body><h1>Head\x00line of the story</h1><p>Geneva talks go on today.</p></body></html>"
        )
    )
    draft = draft_of(html.encode(), "story.html")
    assert (draft.title, draft.byline, draft.outlet) == (
        "Headline of the story",
        "Jane Reporter",
        "Outlet",
    )


def test_a_file_name_with_control_characters_or_lone_surrogates_is_cleaned():
    draft = draft_of(b"Talks in Geneva go on today", "bad\x00\x1b[31mname\udcff.txt")
    assert draft.source_name == "bad[31mname?.txt"


@pytest.mark.parametrize(
    "line",
    [
        "# a" + " " * 200_000 + "b",
        "[" * 200_000,
        "[a](" * 50_000,
        "By " + " " * 200_000 + "x",
        "January " + " " * 200_000 + "x",
    ],
)
def test_a_hostile_long_line_is_read_in_well_under_a_second(line):
    import time

    started = time.monotonic()
    text = "\n".join([line] * 5) + "\n\nGeneva talks go on today."
    read_document(text.encode(), filename="long.md", max_bytes=10 * LIMIT)
    assert time.monotonic() - started < 1.0


def test_check_draft_refuses_a_hostile_source_url_and_trims_a_good_one():
    draft = draft_of(b"Talks in Geneva go on today")
    with pytest.raises(IngestError, match="source URL refused: only http and https"):
        check_draft(dataclasses.replace(draft, source_url="javascript:alert(1)"))
    good = check_draft(dataclasses.replace(draft, source_url=" https://news.example.org/a "))
    assert good.source_url == "https://news.example.org/a"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": "x" * 501}, "title is over 500 characters"),
        ({"title": " "}, "no title"),
        ({"text": ""}, "no text"),
        ({"content_hash": "not-a-hash"}, "content_hash must be"),
        ({"byline": "A \ud800 B"}, "byline is not valid Unicode"),
        ({"outlet": "Out\x00let"}, "outlet contains a NUL"),
    ],
)
def test_check_draft_refuses_what_the_database_would_refuse(change, reason):
    draft = draft_of(b"Talks in Geneva go on today")
    with pytest.raises(IngestError, match=reason):
        check_draft(dataclasses.replace(draft, **change))


# --- Markdown (issue 9) -----------------------------------------------------------------------

# content_hash of each seed article as read before Markdown was rendered: plain text that only
# looks a little like Markdown (seed 002 has a heading, links and bold) must not change.
SEED_HASHES = {
    "000_78987c1eabe726c7.txt": "3c3e511d746e959e1651bb8fcbaa5ea75eb7ffb4735df6373992e7cf95b1e15d",
    "001_f4262dc85348364a.txt": "0154430033cd49d9cd1c402427a7ff28e799470057b640455f29b195426c0e81",
    "002_8d4d6b896af71e55.txt": "91298ea025a9e143a4062316c0292df43b2198c5d11c88b07547f74f8d6bf5c2",
}

MARKDOWN = b"""# Budget **passes** in the Senate

By Jane Doe

The Senate passed the **budget** on Tuesday, and [the minister](javascript:alert(1)) said
unemployment fell to *4.2 percent* in March.

![a chart of falling unemployment](http://example.com/chart.png)

## What it costs

- Schools get **$3 billion** more.
- Hospitals get [$2 billion](https://example.org/budget "budget") more.

```python
print("The Senate passed the budget.")
```

Run `rm -rf /` to see. See <javascript:alert(2)> and [the report][r].

<div>
<p>Turnout was 61 percent.</p><script>alert(3)</script>
</div>

[r]: javascript:alert(5)
"""


@pytest.mark.parametrize("path", sorted(SEEDS_DIR.glob("*.txt")), ids=lambda p: p.name)
def test_the_seed_articles_read_exactly_as_before_markdown_was_rendered(path):
    assert draft_of(path.read_bytes(), path.name).content_hash == SEED_HASHES[path.name]


def test_a_markdown_file_is_rendered_to_text_with_headings_and_list_items_as_paragraphs():
    draft = draft_of(MARKDOWN, "budget.md")
    assert draft.text.split("\n\n") == [
        "Budget passes in the Senate",
        "By Jane Doe",
        "The Senate passed the budget on Tuesday, and the minister said unemployment fell "
        "to 4.2 percent in March.",
        "What it costs",
        "Schools get $3 billion more.",
        "Hospitals get $2 billion more.",
        "Run to see. See and the report.",
        "Turnout was 61 percent.",
    ]
    assert draft.title == "Budget passes in the Senate"
    assert draft.byline == "Jane Doe"


def test_markdown_drops_link_targets_images_code_and_scripts_and_says_so():
    draft = draft_of(MARKDOWN, "budget.md")
    for gone in ("javascript", "alert", "example", "chart", "print(", "rm -rf", "**", "`", "#"):
        assert gone not in draft.text
    assert set(draft.removed_elements) == {"image", "code block", "inline code", "script"}


def test_pasted_text_that_clearly_is_markdown_is_rendered():
    pasted = b"Senate vote\n\nThe **budget** passed, [officials](javascript:void(0)) said.\n"
    draft = draft_of(pasted, "pasted.txt")
    assert draft.text == "Senate vote\n\nThe budget passed, officials said."


def test_plain_text_with_a_stray_heading_or_bold_is_left_as_it_is():
    plain = b"# Senate vote\n\nThe **budget** passed, [officials](https://example.org) said.\n"
    assert draft_of(plain, "pasted.txt").text == plain.decode().strip()
