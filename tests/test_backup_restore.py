"""A desk backed up with `pg_dump -Fc` and restored with `pg_restore --no-owner` comes back
whole: every review and audit entry, and the trigger that keeps the audit log append-only."""

import os
import subprocess

import psycopg
import pytest
from django.db import connection

from reviews import services
from reviews.models import AuditEntry, Review, Verdict
from tests.conftest import require_postgresql
from tests.factories import make_claim_with_evidence, make_published_review

# Committed data, so pg_dump (another connection) sees it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql():
    require_postgresql("a pg_dump round trip")


@pytest.fixture
def restored_database():
    """The name of a fresh, empty database next to the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(**server(dbname="postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**server(dbname="postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server(**overrides) -> dict[str, str]:
    """psycopg connection parameters of the test database's server."""
    db = connection.settings_dict
    params = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    return {k: str(v) for k, v in params.items() if v} | overrides


def client_args() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, and their environment (the password)."""
    params = server()
    flags = {"host": "--host", "port": "--port", "user": "--username"}
    args = [f"{flag}={params[key]}" for key, flag in flags.items() if key in params]
    env = dict(os.environ)
    if "password" in params:
        env["PGPASSWORD"] = params["password"]
    return args, env


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"


def build_desk(reviewer, second_reviewer, editor) -> None:
    """Reviews in every state and with every verdict, plus history whose article is gone."""
    assigned = make_claim_with_evidence()
    services.review_assign(claim=assigned, assignee=reviewer, assigned_by=editor)

    decided = make_claim_with_evidence()
    services.review_submit(
        claim=decided,
        reviewer=second_reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="The census office's figure matches.",
        evidence_ids=[e.pk for e in decided.evidence.all()],
    )
    services.review_submit(
        claim=decided,
        reviewer=second_reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="On a second reading the census counts households, not people.",
    )

    published = make_claim_with_evidence()
    make_published_review(claim=published, reviewer=reviewer, editor=editor)

    taken_down = make_claim_with_evidence()
    review = make_published_review(
        claim=taken_down, reviewer=second_reviewer, editor=editor, verdict=Verdict.SUPPORTED
    )
    services.review_unpublish(review=review, editor=editor, reason="The agency corrected itself.")

    gone = make_claim_with_evidence()
    make_published_review(claim=gone, reviewer=reviewer, editor=editor)
    gone.article.delete()  # its audit entries stay, with the ids of what they described


def test_a_desk_survives_pg_dump_and_pg_restore(
    tmp_path, restored_database, reviewer, second_reviewer, editor
):
    build_desk(reviewer, second_reviewer, editor)
    reviews = list(
        Review.objects.order_by("id").values_list(
            "id", "claim_id", "verdict", "rationale", "state", "published"
        )
    )
    entries = list(
        AuditEntry.objects.order_by("id").values_list(
            "id", "action", "details", "article_id", "claim_id", "review_id"
        )
    )
    assert {state for *_, state, _ in reviews} == set(Review.State.values)
    assert {verdict for _, _, verdict, *_ in reviews} == {"", *Verdict.values}
    assert len(entries) == 1 + 2 + 2 + 3 + 2  # one per step above

    args, env = client_args()
    dump = tmp_path / "desk.dump"
    run(["pg_dump", "-Fc", f"--file={dump}", *args, connection.settings_dict["NAME"]], env)
    run(["pg_restore", "--no-owner", f"--dbname={restored_database}", *args, str(dump)], env)

    with psycopg.connect(**server(dbname=restored_database), autocommit=True) as restored:
        assert (
            restored.execute(
                "SELECT id, claim_id, verdict, rationale, state, published"
                " FROM reviews_review ORDER BY id"
            ).fetchall()
            == reviews
        )
        assert (
            restored.execute(
                "SELECT id, action, details, article_id, claim_id, review_id"
                " FROM reviews_auditentry ORDER BY id"
            ).fetchall()
            == entries
        )
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            restored.execute("UPDATE reviews_auditentry SET details = '{}'")
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            restored.execute("DELETE FROM reviews_auditentry")
        # The id sequence came back too: the restored desk records new history after the old.
        new_id = restored.execute(
            "INSERT INTO reviews_auditentry (at, action, details)"
            " VALUES (now(), 'desk_restored', '{}') RETURNING id"
        ).fetchone()[0]
        assert new_id > entries[-1][0]
