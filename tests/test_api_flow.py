"""The whole desk flow by token, as an integration or a bot drives it (issue 8's acceptance):
article in, the pipeline, assign, source, verdict, return, verdict, publish by another editor,
correct, and the verdict out at /api/v1/verdicts/.

The worker's part is run in the test by calling the services its tasks call, on the offline
corpus (tests/test_end_to_end.py covers the real worker).
"""

import json
from unittest import mock

import feedparser
import pytest
from django.test import Client
from rest_framework.test import APIClient

from factcheck import services as pipeline
from factcheck import tasks
from factcheck.evidence.corpus import CorpusSource
from factcheck.models import Claim
from tests.api_helpers import API, second_editor, token_client
from tests.conftest import CORPUS_PATH, SEED_000

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run_the_pipeline(article_id: int) -> None:
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        pipeline.article_extract_claims(article_id=article_id)
    source = CorpusSource([CORPUS_PATH])
    for claim_id in Claim.objects.filter(article_id=article_id).values_list("pk", flat=True):
        pipeline.claim_gather_evidence(claim_id=claim_id, source=source)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.json()
    return response.json()


def test_the_whole_desk_flow_by_token(reviewer, editor):
    as_editor, as_reviewer = token_client(editor), token_client(reviewer)
    as_publisher = token_client(second_editor())

    article = ok(
        as_editor.post(
            f"{API}/articles/",
            {
                "title": "Russia's forces in Syria",
                "text": SEED_000.read_text(encoding="utf-8"),
                "url": "https://news.example.org/syria",
                "outlet": "Example Times",
                "published_on": "2017-12-11",
            },
        ),
        201,
    )
    assert article["status"] == "queued"
    run_the_pipeline(article["id"])

    progress = ok(as_reviewer.get(f"{API}/articles/{article['id']}/"))
    assert progress["status"] == "ready"
    assert progress["claims"]["unassigned"] == progress["claims"]["total"] >= 5
    claims = ok(
        as_reviewer.get(f"{API}/claims/?article={article['id']}&state=unassigned&page_size=200")
    )["results"]
    troops = next(c for c in claims if "150,000 troops" in c["text"])
    url = f"{API}/claims/{troops['id']}/"

    assigned = ok(
        as_editor.post(
            f"{url}assign/", {"assignee": "rita_reviewer", "due": "2026-12-24", "priority": "high"}
        )
    )
    assert (assigned["state"], assigned["assignee"], assigned["priority"]) == (
        "assigned",
        "rita_reviewer",
        "high",
    )

    source = ok(
        as_reviewer.post(
            f"{url}sources/",
            {
                "url": "https://www.defense.gov.example/syria-troops",
                "title": "Troop numbers in Syria",
                "publisher": "Ministry of Defence",
                "quote": "48,000 servicemen have served in Syria.",
            },
        ),
        201,
    )
    evidence = ok(as_reviewer.get(url))["evidence"]
    assert evidence, "the corpus gives the troops claim evidence"
    first = {
        "verdict": "unsupported",
        "rationale": "Wikipedia gives 48,000 servicemen.",
        "evidence": [evidence[0]["id"]],
        "sources": [source["id"]],
    }
    assert ok(as_reviewer.post(f"{url}verdict/", first))["state"] == "submitted"

    returned = ok(as_editor.post(f"{url}return/", {"note": "Say which figure you compared."}))
    assert returned["state"] == "returned"

    revised = {**first, "rationale": "The claim says 150,000; sources give 48,000 and 68,000."}
    assert ok(as_reviewer.post(f"{url}verdict/", revised))["state"] == "submitted"

    published = ok(as_publisher.post(f"{url}publish/"))
    assert published["state"] == "published"
    assert published["review"]["published_by"] == "erin_editor"

    corrected = ok(
        as_editor.post(
            f"{url}correct/",
            {"verdict": "misattributed", "reason": "The figure was the ministry's, not Putin's."},
        )
    )
    assert [(h["to_state"], h["by"]) for h in corrected["history"]] == [
        ("submitted", "rita_reviewer"),
        ("returned", "eddie_editor"),
        ("submitted", "rita_reviewer"),
        ("published", "erin_editor"),
        ("published", "eddie_editor"),
    ]

    verdicts = ok(APIClient().get(f"{API}/verdicts/"))["results"]
    assert len(verdicts) == 1
    verdict = verdicts[0]
    assert verdict["claim"] == troops["text"] and verdict["verdict"] == "misattributed"
    assert verdict["url"] == f"http://testserver/verdicts/{verdict['id']}/"
    assert verdict["claim_review"]["reviewRating"]["alternateName"] == "Misattributed"
    assert [v["kind"] for v in verdict["versions"]] == ["first", "correction"]
    assert {c["kind"] for c in verdict["citations"]} == {"evidence", "source"}
    assert ok(as_reviewer.get(f"{API}/articles/{article['id']}/"))["claims"]["published"] == 1

    # ... and in every public output a reader or an aggregator uses.
    reader = Client()
    page = verdict["url"].removeprefix("http://testserver")
    rss = feedparser.parse(reader.get("/verdicts/rss/").content)
    assert [entry.link for entry in rss.entries] == [verdict["url"]]
    assert page in reader.get("/sitemap.xml").content.decode()
    feed = json.loads(reader.get("/claimreview.json").content)
    assert [e["url"] for e in feed["dataFeedElement"]] == [verdict["url"]]
    found = reader.get("/verdicts/", {"q": "troops Syria"}).content.decode()
    assert f'href="{page}"' in found
