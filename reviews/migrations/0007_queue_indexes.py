"""Indexes for the review queue, the workload page and the public lists at 100,000 claims
(issue 10). Partial indexes and INCLUDE columns work on both databases (SQLite builds the
INCLUDE-less index)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_desk_workflow"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(state="published"),
                name="review_published_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=["assignee", "state", "due_on"],
                condition=models.Q(dismissed_reason=""),
                name="review_work_by_assignee",
            ),
        ),
        migrations.AddIndex(
            model_name="reviewtransition",
            index=models.Index(
                fields=["actor", "at"],
                include=["review"],
                condition=models.Q(to_state__in=["submitted", "published"]),
                name="transition_decisions_by_actor",
            ),
        ),
    ]
