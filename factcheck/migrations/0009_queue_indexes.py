# The review queue's indexes (issue 10) go here; created empty first so that 0010 can follow.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0008_feeds"),
    ]

    operations = []
