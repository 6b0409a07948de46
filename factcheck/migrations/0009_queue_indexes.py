"""Indexes for the review queue and the article list at 100,000 claims (issue 10).

Both databases get the plain indexes (Meta.indexes of Article and Claim). PostgreSQL also gets
the full-text indexes the queue's search reads (reviews.selectors.queue_claims_search): GIN
over the same expressions the search builds, which only PostgreSQL has; SQLite, the embedded
default, searches without them as the admin always did.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

# Must stay the expressions of reviews.selectors.CLAIM_SEARCH_VECTOR and
# ARTICLE_TITLE_SEARCH_VECTOR, or PostgreSQL will not use these indexes
# (tests/test_queue_search.py checks that it does).
SEARCH_INDEXES = {
    "claim": GinIndex(SearchVector("text", "claimant", config="english"), name="claim_search"),
    "article": GinIndex(SearchVector("title", config="english"), name="article_title_search"),
}


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in SEARCH_INDEXES.items():
        schema_editor.add_index(apps.get_model("factcheck", model_name), index)


def remove_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in SEARCH_INDEXES.items():
        schema_editor.remove_index(apps.get_model("factcheck", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0008_feeds"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-created_at", "-id"], name="article_newest_first"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["id"],
                include=["article", "canonical", "kind", "priority", "score"],
                name="claim_queue_columns",
            ),
        ),
        migrations.RunPython(add_search_indexes, remove_search_indexes),
    ]
