"""The desk's two groups and what they may do.

Reviewer: see claims, evidence, articles and pages; work the queue (assign to self, record
verdicts). Editor: everything a reviewer may, plus assign to others, publish/unpublish and add
articles. Permissions are normally created after migrate (post_migrate), so this migration
creates the ones it needs first; on an existing database that is a no-op.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_PERMISSIONS = [
    ("factcheck", "article", "view_article"),
    ("factcheck", "claim", "view_claim"),
    ("factcheck", "evidence", "view_evidence"),
    ("factcheck", "referencepage", "view_referencepage"),
    ("reviews", "queueclaim", "view_queueclaim"),
    ("reviews", "queueclaim", "change_queueclaim"),
    ("reviews", "review", "view_review"),
    ("reviews", "review", "change_review"),
]
EDITOR_PERMISSIONS = REVIEWER_PERMISSIONS + [
    ("reviews", "review", "assign_review"),
    ("reviews", "review", "publish_review"),
    ("reviews", "auditentry", "view_auditentry"),
    ("factcheck", "article", "add_article"),
]
GROUPS = {"Reviewer": REVIEWER_PERMISSIONS, "Editor": EDITOR_PERMISSIONS}


def create_desk_groups(apps, schema_editor):
    for label in ("factcheck", "reviews"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in wanted:
            # A missing permission is a bug in this list: fail loudly rather than half-grant.
            permission = Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
            group.permissions.add(permission)


def remove_desk_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("factcheck", "0001_initial"),
        ("reviews", "0002_queue_claim_and_permissions"),
    ]

    operations = [migrations.RunPython(create_desk_groups, remove_desk_groups)]
