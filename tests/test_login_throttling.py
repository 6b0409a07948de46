"""Logins are throttled per (username, IP address) by django-axes: the tenth wrong password in
a row locks that pair out for the cool-off, and the lockout is in the audit trail."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings

from reviews.models import AuditEntry
from reviews.services import audit_login_lockout

pytestmark = pytest.mark.django_db

ATTACKER_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"


def log_in(client, username: str, password: str, ip: str = ATTACKER_IP):
    """Post the real admin login form, as a browser at `ip` would."""
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def lock_out(client, username: str, ip: str = ATTACKER_IP) -> None:
    for attempt in range(1, 11):
        response = log_in(client, username, f"wrong-{attempt}", ip)
        expected = 429 if attempt == 10 else 200  # the login form again, with its error
        assert response.status_code == expected, f"attempt {attempt}"


def test_ten_wrong_passwords_lock_out_that_username_from_that_address(client, reviewer):
    lock_out(client, reviewer.username)

    response = log_in(client, reviewer.username, "pw-" + reviewer.username)

    assert response.status_code == 429
    assert "admin/login_locked_out.html" in [t.name for t in response.templates]
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_looks_like_the_admin_login(client, reviewer):
    lock_out(client, reviewer.username)
    page = log_in(client, reviewer.username, "pw-" + reviewer.username).content.decode()
    assert 'class="errornote"' in page
    assert "admin/css/login.css" in page
    assert str(settings.AXES_COOLOFF_TIME) in page  # "0:15:00" by default


def test_the_lockout_is_audited_once_with_username_and_address(client, reviewer):
    lock_out(client, reviewer.username)
    log_in(client, reviewer.username, "another-wrong-one")  # refused again during the lockout

    entry = AuditEntry.objects.get(action="login_locked_out")
    assert entry.details == {"username": reviewer.username, "ip_address": ATTACKER_IP}
    assert entry.actor is None


def test_the_same_username_from_another_address_can_still_log_in(client, reviewer):
    lock_out(client, reviewer.username)

    response = log_in(client, reviewer.username, "pw-" + reviewer.username, ip=OTHER_IP)

    assert response.status_code == 302
    assert response.url == "/admin/"


def test_another_username_from_the_locked_address_can_still_log_in(client, reviewer, editor):
    lock_out(client, reviewer.username)

    response = log_in(client, editor.username, "pw-" + editor.username)

    assert response.status_code == 302


def test_a_successful_login_forgets_earlier_typos(client, reviewer):
    for attempt in range(9):
        assert log_in(client, reviewer.username, f"typo-{attempt}").status_code == 200
    assert log_in(client, reviewer.username, "pw-" + reviewer.username).status_code == 302
    client.logout()

    response = log_in(client, reviewer.username, "one-more-typo")

    assert response.status_code == 200


def test_auditing_a_lockout_twice_within_the_cool_off_writes_one_entry():
    first = audit_login_lockout(username="rita_reviewer", ip_address=ATTACKER_IP)
    second = audit_login_lockout(username="rita_reviewer", ip_address=ATTACKER_IP)

    assert first == second
    assert AuditEntry.objects.filter(action="login_locked_out").count() == 1


def test_a_lockout_after_the_cool_off_is_audited_again():
    first = audit_login_lockout(username="rita_reviewer", ip_address=ATTACKER_IP)

    # The audit log is append-only, so the first entry cannot be aged: shrink the cool-off.
    with override_settings(AXES_COOLOFF_TIME=timedelta(0)):
        second = audit_login_lockout(username="rita_reviewer", ip_address=ATTACKER_IP)

    assert second != first
    assert AuditEntry.objects.filter(action="login_locked_out").count() == 2
