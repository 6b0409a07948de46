"""Fuzzing ingestion on PostgreSQL: whatever bytes arrive, each ends as a clean one-line
refusal or as a stored article. Never a traceback, never a 500.

PostgreSQL, because it is stricter than SQLite (its text cannot hold NUL). In CI a missing
PostgreSQL fails these tests; elsewhere they are skipped.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factcheck import services
from factcheck.ingestion import IngestError, read_document
from factcheck.models import Article
from tests.conftest import require_postgresql

pytestmark = pytest.mark.django_db

MAX_BYTES = 4 * 1024 * 1024
ADD_URL = reverse("admin:factcheck_article_add")
FUZZ = dict(
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def postgresql(db):
    require_postgresql("PostgreSQL's refusal of NUL")


# --- Inputs -----------------------------------------------------------------------------------

SUFFIXES = st.sampled_from(["a.txt", "a.md", "a.html"])
# Pieces a hostile or broken file is made of: NUL and other controls, bidi overrides, RTL
# scripts, stacked combining marks, a BOM, markup and Markdown that the readers look for.
SPICES = [
    "\x00",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u009b",
    "\u202e",
    "\u200f",
    "\u2028",
    "\ufeff",
    "\ufffe",
    "שלום עולם",
    "مرحبا بالعالم",
    "e\u0301\u0302\u0303\u0304\u0305",
    "\r\n",
    "\r",
    "\n\n",
    "# ",
    "By ",
    "January 5, 2024",
    "[a](",
    "<p>",
    "<div>",
    "<script>",
    "</script>",
    "<h1>",
    "<title>",
    '<meta name="author" content="\x00',
    "&#0;",
    "&#x1;",
    "&#xD800;",
    "<!--",
    "Putin said 150,000 troops",
]
UNICODE = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
MIXED_TEXT = st.lists(st.one_of(UNICODE, st.sampled_from(SPICES)), max_size=40).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])
# A NUL in the first 8 KB makes a file binary; padding moves the rest past that point.
PADDING = st.sampled_from(["", "word " * 1700])


@st.composite
def encoded_text(draw) -> bytes:
    text = draw(PADDING) + draw(MIXED_TEXT)
    return text.encode(draw(ENCODINGS))


@st.composite
def huge_line(draw) -> bytes:
    piece = draw(st.sampled_from(["a", " ", "[", "[a](", "# ", "\x00", "é", "&amp;", "<b>"]))
    start = draw(st.sampled_from(["", "# ", "By ", "January ", "word " * 1700]))
    line = start + piece * (1_000_000 // len(piece)) + draw(st.sampled_from(["", "x", "]"]))
    return line.encode()


@st.composite
def deep_html(draw) -> bytes:
    depth = draw(st.integers(min_value=1, max_value=5000))
    tag = draw(st.sampled_from(["div", "p", "b", "script", "h1", "title", "svg", "li"]))
    closed = draw(st.integers(min_value=0, max_value=depth))
    words = draw(MIXED_TEXT)
    tail = draw(st.sampled_from(["", "<", "<div", "<!--", "<meta content='", "&#"]))
    return (f"<{tag}>" * depth + words + f"</{tag}>" * closed + tail).encode()


ANY_INPUT = st.one_of(st.binary(max_size=4096), encoded_text(), deep_html())


# --- The property -------------------------------------------------------------------------------


def assert_refused_or_stored(data: bytes, filename: str) -> None:
    """read_document then article_ingest, rolled back: a one-line IngestError or an article."""
    try:
        draft = read_document(data, filename=filename, max_bytes=MAX_BYTES)
        with transaction.atomic():
            outcome = services.article_ingest(draft=draft)
            stored = Article.objects.get(pk=outcome.article.pk)
            assert "\x00" not in stored.text + stored.title + stored.byline + stored.outlet
            transaction.set_rollback(True)
    except IngestError as exc:
        message = str(exc)
        assert message and "\n" not in message


@settings(max_examples=300, **FUZZ)
@given(data=st.binary(max_size=20_000), filename=SUFFIXES)
@example(data=b"Talks in Geneva go on\n\n" + b"word " * 1700 + b"x\x00y", filename="a.txt")
def test_random_bytes_are_refused_or_stored(data, filename):
    assert_refused_or_stored(data, filename)


@settings(max_examples=300, **FUZZ)
@given(data=encoded_text(), filename=SUFFIXES)
def test_random_unicode_with_controls_rtl_and_combining_marks_is_refused_or_stored(data, filename):
    assert_refused_or_stored(data, filename)


@settings(max_examples=8, **FUZZ)
@given(data=huge_line(), filename=SUFFIXES)
def test_a_megabyte_line_is_refused_or_stored(data, filename):
    assert_refused_or_stored(data, filename)


@settings(max_examples=25, **FUZZ)
@given(data=deep_html(), filename=SUFFIXES)
@example(data=b"<div>" * 5000 + b"Geneva talks go on" + b"<p><b><i", filename="a.html")
def test_deep_and_unclosed_html_is_refused_or_stored(data, filename):
    assert_refused_or_stored(data, filename)


@settings(max_examples=60, **FUZZ)
@given(data=ANY_INPUT, filename=SUFFIXES)
@example(data=b"Talks in Geneva go on\n\n" + b"word " * 1700 + b"x\x00y", filename="a.txt")
def test_the_admin_upload_answers_every_input_without_a_500(client, editor, data, filename):
    client.force_login(editor)
    with transaction.atomic():
        response = client.post(ADD_URL, {"file": SimpleUploadedFile(filename, data)})
        transaction.set_rollback(True)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert re.fullmatch(r"/admin/factcheck/article/\d+/change/", response["Location"])
        return
    body = response.content.decode()
    refusals = re.findall(r"<li>Not ingested: ([^<]*)</li>", body)
    if data:
        assert len(refusals) == 1 and "\n" not in refusals[0]
    else:
        assert "The submitted file is empty." in body
