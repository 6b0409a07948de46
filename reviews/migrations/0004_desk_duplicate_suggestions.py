"""Let the desk see and decide duplicate suggestions (factcheck.DuplicateSuggestion, whose admin
offers confirm/reject to anyone who may view it). Separate from 0003 because the model arrived
in factcheck 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = ("factcheck", "duplicatesuggestion", "view_duplicatesuggestion")
GROUPS = ("Reviewer", "Editor")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("factcheck")
    app_config.models_module = True  # create_permissions skips apps without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, model, codename = PERMISSION
    permission = Permission.objects.get(
        content_type__app_label=app_label, content_type__model=model, codename=codename
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*group.permissions.filter(codename=PERMISSION[2]))


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0002_page_store_lookups_and_duplicates"),
        ("reviews", "0003_desk_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
