"""Hostile URLs and markup through every input path, then through every page that shows them.

Input paths: `manage.py ingest` (ingest_path and the command), the admin's add-article form
(file and pasted text), services.article_ingest with a draft, and the database itself (a
raw UPDATE around every check). Pages: the public site and the desk's admin pages.
"""

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse

from factcheck import services
from factcheck.ingestion import IngestError, read_document
from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, ReferencePage
from factcheck.safe_urls import UnsafeURLError, is_public_url, safe_href, validate_public_url
from reviews import services as review_services
from reviews.models import AuditEntry, Verdict
from tests.factories import make_claim, make_evidence, make_page

HOSTILE_URLS = [
    "javascript:alert(document.cookie)//",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "java\tscript:alert(1)",
    "//evil.example/",
    "https://user:pw@host/",
]
# Values that do not start with http(s): the database CHECK refuses these outright.
NOT_HTTP = [u for u in HOSTILE_URLS if not u.lower().startswith(("http://", "https://"))]
HOSTILE_MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
]
ADD_URL = reverse("admin:factcheck_article_add")
ARTICLE_TEXT = (
    "Evacuation talks in Geneva go on\n\n"
    "Officials met in Geneva on Monday. The health minister said that 1,200 people were "
    "evacuated from the city. Talks continue.\n"
)


# --- The checks themselves --------------------------------------------------------------------


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_validator_refuses_each_hostile_url_with_a_one_line_reason(url):
    with pytest.raises(UnsafeURLError) as caught:
        validate_public_url(url)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_validator_names_the_refused_scheme():
    with pytest.raises(UnsafeURLError, match="only http and https links are accepted, got "):
        validate_public_url("javascript:alert(1)")
    with pytest.raises(UnsafeURLError, match="got 'javascript:'"):
        validate_public_url("JaVaScRiPt:alert(1)")


@pytest.mark.parametrize(
    "url",
    ["https://news.example.org/story-1", "http://example.com", "HTTPS://Example.com/a?b=c#d"],
)
def test_the_validator_accepts_plain_http_and_https_links(url):
    assert validate_public_url(url) == url


def test_the_validator_refuses_an_over_long_link():
    with pytest.raises(UnsafeURLError, match="over 2,000"):
        validate_public_url("https://example.com/" + "a" * 2000)


@pytest.mark.parametrize(
    "url", [*HOSTILE_URLS, "https://x.example/a\x00b", "http://\njavascript:alert(1)", 42, None]
)
def test_the_safe_href_filter_renders_no_link_for_a_stored_hostile_value(url):
    template = Template('{% load safe_links %}<a href="{{ obj.url|safe_href }}">x</a>')
    rendered = template.render(Context({"obj": SimpleNamespace(url=url)}))
    assert rendered == '<a href="">x</a>'


def test_the_safe_href_filter_keeps_http_links_and_paths_on_this_site():
    assert safe_href("https://en.wikipedia.org/w/index.php?oldid=1") != ""
    assert safe_href("/verdicts/3/") == "/verdicts/3/"
    assert safe_href("//evil.example/") == ""
    assert safe_href("/\\evil.example/") == ""


# --- Input paths -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_ingest_command_refuses_a_hostile_url_in_one_line_and_stores_nothing(tmp_path, url):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE_TEXT)
    outcome = ingest_path(path, url=url)
    assert outcome.startswith(f"error: {path}: --url refused: ")
    assert "\n" not in outcome
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_ingest_command_reports_a_hostile_url_and_exits_1(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE_TEXT)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("ingest", str(path), url="javascript:alert(1)//", stderr=err)
    assert "only http and https links are accepted, got 'javascript:'" in err.getvalue()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_one_bad_file_never_stops_the_batch(tmp_path):
    (tmp_path / "a_good.txt").write_text(ARTICLE_TEXT)
    # A stray NUL after the first 8 KB: removed, not a crash (PostgreSQL text cannot hold it).
    late_nul = ("Late NUL story about Geneva talks\n\n" + "word " * 2000).encode()
    (tmp_path / "b_late_nul.txt").write_bytes(late_nul + b"more\x00text here.\n")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "d_good.txt").write_text("Another story on the talks\n\nNATO said so today.\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 4 file"):
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == ["ingested"] * 3
    assert err.getvalue().splitlines() == [
        f"error: {tmp_path / 'c_binary.txt'}: binary file: expected text, Markdown or HTML"
    ]
    late = Article.objects.get(source_name="b_late_nul.txt")
    assert "\x00" not in late.text and "moretext here." in late.text
    entry = AuditEntry.objects.get(article=late, action="article_ingested")
    assert entry.details["removed_control_characters"] == 1


@pytest.mark.django_db
def test_an_unexpected_failure_is_one_line_and_the_batch_goes_on(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE_TEXT)
    (tmp_path / "b.txt").write_text("Another story on the talks\n\nNATO said so today.\n")
    real_ingest = services.article_ingest

    def broken_for_a(*, draft, actor=None):
        if draft.source_name == "a.txt":
            raise RuntimeError("disk on fire\nsecond line")
        return real_ingest(draft=draft, actor=actor)

    monkeypatch.setattr(services, "article_ingest", broken_for_a)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    assert err.getvalue() == (
        f"error: {tmp_path / 'a.txt'}: could not be stored (RuntimeError: disk on fire "
        "second line)\n"
    )
    assert Article.objects.get().source_name == "b.txt"


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("how", ["file", "pasted"])
def test_the_add_article_form_never_stores_a_hostile_url(client, editor, url, how):
    client.force_login(editor)
    content = {"file": SimpleUploadedFile("story.txt", ARTICLE_TEXT.encode())}
    if how == "pasted":
        content = {"pasted_text": ARTICLE_TEXT}
    response = client.post(ADD_URL, {**content, "source_url": url})
    stored = list(Article.objects.values_list("source_url", flat=True))
    if url.strip().startswith("//"):
        # The form reads a scheme-less link as https (assume_scheme): harmless.
        assert response.status_code == 302
        assert stored == ["https:" + url.strip()]
    else:
        assert response.status_code == 200
        assert b'class="errorlist' in response.content
        assert stored == []


@pytest.mark.django_db
def test_the_add_article_form_refuses_a_late_nul_upload_without_a_500(client, editor):
    client.force_login(editor)
    data = ("Late NUL story about Geneva talks\n\n" + "word " * 2000).encode() + b"x\x00y."
    response = client.post(ADD_URL, {"file": SimpleUploadedFile("nul.txt", data)})
    assert response.status_code == 302
    assert "\x00" not in Article.objects.get().text


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_article_ingest_refuses_a_draft_with_a_hostile_url(url):
    draft = read_document(ARTICLE_TEXT.encode(), filename="story.txt", max_bytes=10_000)
    with pytest.raises(IngestError, match="source URL refused: ") as caught:
        services.article_ingest(draft=dataclasses.replace(draft, source_url=url))
    assert "\n" not in str(caught.value)
    assert not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["title", "text", "byline", "outlet", "source_name"])
def test_article_ingest_refuses_a_draft_with_a_nul_in_any_field(field):
    draft = read_document(ARTICLE_TEXT.encode(), filename="story.txt", max_bytes=10_000)
    value = getattr(draft, field) + "\x00"
    with pytest.raises(IngestError, match=f"{field} contains a NUL"):
        services.article_ingest(draft=dataclasses.replace(draft, **{field: value}))
    assert not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", NOT_HTTP)
def test_the_database_refuses_a_source_url_that_is_not_http_written_around_the_checks(url):
    article = make_claim().article
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(source_url=url)
    page = make_page()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferencePage.objects.filter(pk=page.pk).update(url=url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_model_validation_refuses_a_hostile_source_url(url):
    article = Article(title="T", text="Some text", content_hash="a" * 64, source_url=url)
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "source_url" in caught.value.message_dict


# --- Every page, with hostile data stored ----------------------------------------------------

CLAIM = (
    "1,200 people </script><script>alert(1)</script> were evacuated "
    "<img src=x onerror=alert(1)> from the city."
)
HOSTILE_TEXT = (
    '<script>alert(1)</script> Evacuation "><svg onload=alert(1)> talks in Geneva\n\n'
    f"Officials met in Geneva on Monday. The health minister said that {CLAIM} Talks go on.\n"
)
# Pass the database CHECK (they start with http) yet must never become links.
STORED_BUT_UNSAFE = ["https://user:pw@evil.example/", "http://\njavascript:alert(1)"]


def _ingested(text: str, **fields) -> Article:
    draft = read_document(text.encode(), filename="hostile.txt", max_bytes=100_000)
    draft = dataclasses.replace(draft, outlet='"><svg onload=alert(1)>', **fields)
    article = services.article_ingest(draft=draft).article
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    return article


def _published_claim(article: Article, *, reviewer, editor, pages) -> tuple:
    claim = make_claim(article=article, sentence=CLAIM)
    for rank, page in enumerate(pages, start=1):
        make_evidence(claim=claim, page=page, rank=rank, sentence=f"<script>alert({rank})</script>")
    review = review_services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="\n".join(HOSTILE_MARKUP),
        evidence_ids=[e.pk for e in claim.evidence.all()],
    )
    return claim, review_services.review_publish(review=review, editor=editor)


@pytest.fixture
def hostile_site(db, reviewer, editor, settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org/"
    pages = [
        make_page(title="<img src=x onerror=alert(1)> Geneva"),
        make_page(revision_id=None, snapshot_date=dt.date(2026, 1, 1), url=STORED_BUT_UNSAFE[0]),
    ]
    clean = _ingested(HOSTILE_TEXT, source_url="https://news.example.org/story")
    first = _published_claim(clean, reviewer=reviewer, editor=editor, pages=pages)
    others = []
    for n, url in enumerate(STORED_BUT_UNSAFE):
        article = _ingested(HOSTILE_TEXT + f"\nVersion {n}.\n")
        Article.objects.filter(pk=article.pk).update(source_url=url)  # around every check
        others.append(_published_claim(article, reviewer=reviewer, editor=editor, pages=pages))
    return [first, *others]


class _Links(HTMLParser):
    """Every URL-bearing attribute value, unescaped as a browser would read it."""

    ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.values += [v for k, v in attrs if k in self.ATTRIBUTES and v is not None]

    handle_startendtag = handle_starttag


def _as_browser_reads(value: str) -> str:
    return "".join(c for c in value if c > " " and not "\x7f" <= c <= "\x9f").lower()


def _json_urls(data) -> list[str]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == "url"] + [
            u for v in data.values() for u in _json_urls(v)
        ]
    if isinstance(data, list):
        return [u for v in data for u in _json_urls(v)]
    return []


def json_ld_blocks(body: str) -> list[str]:
    return re.findall(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S)


def assert_page_is_safe(body: str, *, ours: bool = True) -> None:
    """No link a browser would run, no live hostile markup, sound JSON-LD. With ours, also
    no link to a stored URL that our safe_href refuses (credentials): the article admin page
    renders source_url with Django's own check, which refuses other schemes but not those."""
    links = _Links()
    links.feed(body)
    links.close()
    for value in links.values:
        assert not _as_browser_reads(value).startswith(("javascript:", "vbscript:", "data:"))
        if ours:
            assert "evil.example" not in value and "user:pw" not in value
    lowered = body.lower()
    for markup in ("<script>alert", "<img src=x onerror", "<svg onload"):
        assert markup not in lowered
    for block in json_ld_blocks(body):
        assert "</script" not in block.lower()
        for url in _json_urls(json.loads(block)):
            assert is_public_url(url), url


def test_public_pages_show_hostile_data_as_text_and_no_hostile_link(client, hostile_site):
    paths = ["/", "/verdicts/"]
    for claim, review in hostile_site:
        paths += [f"/verdicts/{review.pk}/", f"/articles/{claim.article_id}/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_is_safe(response.content.decode())
    body = client.get(f"/verdicts/{hostile_site[0][1].pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown, as text
    assert 'href="https://news.example.org/story"' in body


def test_the_json_ld_of_a_hostile_stored_url_points_at_our_own_article_page(client, hostile_site):
    for claim, review in hostile_site[1:]:
        body = client.get(f"/verdicts/{review.pk}/").content.decode()
        [block] = json_ld_blocks(body)
        appearance = json.loads(block)["itemReviewed"]["appearance"][0]
        assert appearance["url"] == f"https://checks.example.org/articles/{claim.article_id}/"


def test_desk_pages_show_hostile_data_as_text_and_no_hostile_link(client, editor, hostile_site):
    client.force_login(editor)
    paths = [(reverse("admin:reviews_queueclaim_changelist"), True)]
    for claim, _ in hostile_site:
        paths += [
            (reverse("admin:reviews_queueclaim_change", args=[claim.pk]), True),
            (reverse("admin:factcheck_article_change", args=[claim.article_id]), False),
        ]
    for path, ours in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_is_safe(response.content.decode(), ours=ours)
