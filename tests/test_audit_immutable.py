"""The audit trail cannot be rewritten: PostgreSQL refuses UPDATE and DELETE of audit entries
(migration reviews 0005), deleting what an entry refers to leaves the entry alone, and the admin
shows the log read-only, deleted targets included."""

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from factcheck.models import Article, Claim
from reviews import services
from reviews.models import AuditEntry, Review
from tests.conftest import require_postgresql
from tests.factories import make_claim_with_evidence, make_published_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql():
    require_postgresql("the append-only trigger")


@pytest.fixture
def published(reviewer, editor) -> Review:
    """A claim assigned, decided and published: three audit entries."""
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    return make_published_review(claim=claim, reviewer=reviewer, editor=editor)


def refused():
    """The trigger's error. The refused statement goes inside atomic() (a savepoint), so the
    test's own transaction stays usable afterwards."""
    return pytest.raises(IntegrityError, match="the audit log is append-only")


def snapshot():
    return list(AuditEntry.objects.order_by("id").values())


# --- The database refuses changes ----------------------------------------------------------


def test_it_refuses_to_update_an_entry_through_the_orm(published):
    before = snapshot()
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(review=published).update(action="review_rewritten")
    assert snapshot() == before


def test_it_refuses_to_save_a_changed_entry(published):
    entry = AuditEntry.objects.filter(review=published).first()
    entry.details = {"verdict": "supported"}
    with refused(), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).details != {"verdict": "supported"}


def test_it_refuses_to_delete_entries_through_the_orm(published):
    before = snapshot()
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(review=published).delete()
    with refused(), transaction.atomic():
        AuditEntry.objects.first().delete()
    assert snapshot() == before


def test_it_refuses_raw_sql_update_and_delete(published):
    before = snapshot()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reviews_auditentry SET details = '{}'")
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_auditentry WHERE id = %s", [before[0]["id"]])
    assert snapshot() == before


def test_it_still_records_new_entries(published, editor):
    services.review_unpublish(review=published, editor=editor, reason="a correction is due")
    assert list(
        AuditEntry.objects.filter(review=published).order_by("id").values_list("action", flat=True)
    ) == ["review_assigned", "verdict_submitted", "review_published", "review_unpublished"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_changes_to_committed_entries_and_tests_still_flush(reviewer):
    # Django empties the tables after this test with TRUNCATE, which row triggers do not see;
    # the tests after this one start from an empty audit log.
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with refused():
        AuditEntry.objects.update(action="review_rewritten")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["review_assigned"]


# --- Deleting what entries refer to -------------------------------------------------------


def test_deleting_an_article_keeps_its_audit_entries_and_their_ids(published):
    claim = published.claim
    ids = (claim.article_id, claim.pk, published.pk)
    before = snapshot()

    claim.article.delete()  # cascades to the claim, its evidence and its review

    assert not Article.objects.filter(pk=ids[0]).exists()
    assert not Claim.objects.filter(pk=ids[1]).exists()
    assert not Review.objects.filter(pk=ids[2]).exists()
    assert snapshot() == before
    assert {(e.article_id, e.claim_id, e.review_id) for e in AuditEntry.objects.all()} == {ids}


def test_a_superuser_deletes_an_article_in_the_admin_and_its_history_stays(admin_client, published):
    article_id = published.claim.article_id
    url = reverse("admin:factcheck_article_delete", args=[article_id])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article_id).exists()
    assert AuditEntry.objects.filter(article_id=article_id).count() == 3


def test_it_refuses_to_delete_a_user_with_audit_history(published, editor):
    with pytest.raises(ProtectedError), transaction.atomic():
        editor.delete()
    assert User.objects.filter(pk=editor.pk).exists()


def test_the_user_admin_refuses_to_delete_a_user_with_audit_history(
    admin_client, editor, published
):
    # Django words it as a missing permission ("doesn't have permission to delete ... audit
    # entry"): the admin asks each protected object's admin for delete permission, and no one
    # has it for audit entries.
    url = reverse("admin:auth_user_delete", args=[editor.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert b"Cannot delete user" in response.content
    assert b"audit entry" in response.content
    assert User.objects.filter(pk=editor.pk).exists()


def test_a_user_without_audit_history_can_still_be_deleted(published, outsider):
    outsider.delete()
    assert not User.objects.filter(pk=outsider.pk).exists()


# --- The admin: read-only, deleted targets shown as such --------------------------------


def test_the_audit_log_marks_deleted_targets_instead_of_linking_them(client, editor, published):
    claim = published.claim
    kept = make_claim_with_evidence()
    services.review_assign(claim=kept, assignee=editor, assigned_by=editor)
    claim.article.delete()

    client.force_login(editor)
    response = client.get(reverse("admin:reviews_auditentry_changelist"))
    assert response.status_code == 200
    assert f"claim {claim.pk} (deleted)".encode() in response.content
    assert f"article {claim.article_id} (deleted)".encode() in response.content
    kept_url = reverse("admin:reviews_queueclaim_change", args=[kept.pk])
    assert f'<a href="{kept_url}">claim {kept.pk}</a>'.encode() in response.content

    entry = AuditEntry.objects.filter(review_id=published.pk).first()
    response = client.get(reverse("admin:reviews_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert f"review {published.pk} (deleted)".encode() in response.content


def test_not_even_a_superuser_may_change_or_delete_an_entry_in_the_admin(admin_client, published):
    entry = AuditEntry.objects.filter(review=published).first()
    change_url = reverse("admin:reviews_auditentry_change", args=[entry.pk])
    delete_url = reverse("admin:reviews_auditentry_delete", args=[entry.pk])
    assert admin_client.post(change_url, {"action": "review_rewritten"}).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:reviews_auditentry_changelist"))
    assert b"delete_selected" not in changelist.content
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action
