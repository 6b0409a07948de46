"""manage.py claimreview_shape RECORDS.jsonl: summarise real ClaimReview records into the shape
file the tests compare our markup with (tests/fixtures/claimreview_shape.json).

The records (../shared/datasets/claimreview/records.jsonl, 63 ClaimReviews from about 25
outlets) may not be republished, so the repository keeps only their shape: which keys appear
at each place of the object and how often, and which rating scales are used. No text of theirs.
"""

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand

# The places of a ClaimReview whose keys we compare with ours.
PATHS = [
    (),
    ("reviewRating",),
    ("itemReviewed",),
    ("author",),
    ("itemReviewed", "author"),
    ("itemReviewed", "appearance"),
]


def is_claim_review(item: dict) -> bool:
    """"@type": "ClaimReview", or a list of types that includes it (["Review", "ClaimReview"])."""
    kind = item.get("@type")
    return kind == "ClaimReview" or (isinstance(kind, list) and "ClaimReview" in kind)


def claim_reviews(lines: list[str]) -> list[dict]:
    found = []
    for line in lines:
        obj = json.loads(line)["claim_review"]
        for item in obj.get("@graph", [obj]) if isinstance(obj, dict) else obj:
            if isinstance(item, dict) and is_claim_review(item):
                found.append(item)
    return found


def node_at(review: dict, path: tuple[str, ...]):
    node = review
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, list):
            node = node[0] if node else None
    return node


def shape_of(reviews: list[dict]) -> dict:
    keys = {}
    for path in PATHS:
        counts = Counter()
        for review in reviews:
            node = node_at(review, path)
            if isinstance(node, dict):
                counts.update(node.keys())
        keys["/".join(path)] = dict(sorted(counts.items()))
    scales = sorted(
        {
            (str(r["reviewRating"].get("worstRating")), str(r["reviewRating"].get("bestRating")))
            for r in reviews
            if isinstance(r.get("reviewRating"), dict)
        }
    )
    return {"records": len(reviews), "keys": keys, "rating_scales": [list(s) for s in scales]}


class Command(BaseCommand):
    help = "Summarise real ClaimReview records into the shape file the tests use."

    def add_arguments(self, parser):
        parser.add_argument("records", help="records.jsonl of real ClaimReview objects")
        parser.add_argument(
            "--output", default="tests/fixtures/claimreview_shape.json", help="where to write"
        )

    def handle(self, *args, records: str, output: str, **options):
        shape = shape_of(claim_reviews(Path(records).read_text().splitlines()))
        Path(output).write_text(json.dumps(shape, indent=1, sort_keys=True) + "\n")
        self.stdout.write(f"{shape['records']} ClaimReviews summarised into {output}")
