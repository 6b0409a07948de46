"""factcheck.ingestion: bytes and a file name in, an ArticleDraft or a one-line reason out."""

import pytest

from factcheck.ingestion import IngestError, read_document
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
