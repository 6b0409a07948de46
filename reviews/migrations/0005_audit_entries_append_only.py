"""The audit log is append-only, and the database says so.

On PostgreSQL a row trigger refuses UPDATE and DELETE on reviews_auditentry. For that to hold,
deleting what an entry refers to must not touch the entry: article, claim and review lose their
database foreign keys and keep the id of a deleted target (DO_NOTHING), and a user with audit
history cannot be deleted (PROTECT; deactivate them instead).

SQLite, the embedded default, gets no trigger. Django flushes SQLite with DELETE (between
transactional tests, and `manage.py flush`), which a DELETE trigger would refuse; and Django
alters a SQLite table by rebuilding it, which silently drops its triggers, so the guarantee
would vanish with the next field change. TRUNCATE is not refused on PostgreSQL: Django's flush
uses it, and it needs the table owner's rights, which also suffice to drop the trigger.

The error is SQLSTATE 23001 restrict_violation, which Django raises as IntegrityError, like the
other invariants the database enforces (and unlike OperationalError, nothing retries it).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATE_TRIGGER = """
CREATE FUNCTION reviews_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % of audit entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'Audit entries are never changed or deleted; record a new entry instead.';
END;
$$;
CREATE TRIGGER reviews_auditentry_append_only
    BEFORE UPDATE OR DELETE ON reviews_auditentry
    FOR EACH ROW EXECUTE FUNCTION reviews_auditentry_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS reviews_auditentry_append_only ON reviews_auditentry;
DROP FUNCTION IF EXISTS reviews_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


def forget_deleted_targets(apps, schema_editor):
    """Going back to foreign keys with SET_NULL: clear ids whose target is gone, as SET_NULL
    would have, or the restored constraints could not be created. Runs after the trigger is
    dropped (operations reverse in reverse order)."""
    AuditEntry = apps.get_model("reviews", "AuditEntry")
    for field, model in [
        ("article", apps.get_model("factcheck", "Article")),
        ("claim", apps.get_model("factcheck", "Claim")),
        ("review", apps.get_model("reviews", "Review")),
    ]:
        AuditEntry.objects.filter(**{f"{field}__isnull": False}).exclude(
            **{f"{field}_id__in": model.objects.values("pk")}
        ).update(**{field: None})


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0002_page_store_lookups_and_duplicates"),
        ("reviews", "0004_desk_duplicate_suggestions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="article",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_entries",
                to="factcheck.article",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="claim",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_entries",
                to="factcheck.claim",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="review",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_entries",
                to="reviews.review",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, forget_deleted_targets),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
