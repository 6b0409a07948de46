"""Secure by default: production refuses to start without a key and passes `check --deploy`;
the embedded default keeps its own random key; plain HTTP is an explicit opt-out.

Settings are read once per process, so each configuration is tried in a fresh subprocess.
"""

import json
import os
import secrets
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import override_settings
from django.utils.safestring import mark_safe

from factcheck.management.commands.demo import DEMO_PASSWORD
from tests.conftest import REPO_ROOT

# The key every installation shared before this change; cookies signed with it must not work.
OLD_PUBLIC_KEY = "embedded-default-insecure-key-set-SECRET_KEY-in-production"

# What the test run (./dev test, or pytest itself) sets and a production process would not.
NOT_PRODUCTION = [
    "SECRET_KEY",
    "DEBUG",
    "FACTCHECK_EMBEDDED",
    "FACTCHECK_INSECURE_HTTP",
    "PYTEST_VERSION",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]

PRINT_SETTINGS_CODE = (
    "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, "
    "name) for name in ['SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SECURE_PROXY_SSL_HEADER']}))"
)
PRINT_SETTINGS = ["shell", "--no-imports", "-c", PRINT_SETTINGS_CODE]
PRINT_KEY = [
    "shell",
    "--no-imports",
    "-c",
    "from django.conf import settings; print(settings.SECRET_KEY)",
]


def manage(*args: str, data_dir, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py as a production process would start: only the given variables set."""
    base = {name: value for name, value in os.environ.items() if name not in NOT_PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**base, "FACTCHECK_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "factcheck.example.org",
    }


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", data_dir=tmp_path, **production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start_with_one_clear_line(tmp_path):
    result = manage("check", data_dir=tmp_path, DEBUG="false")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set"
    )
    assert "secrets.token_urlsafe(50)" in last_line
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_default_creates_its_key_once_and_reuses_it(tmp_path):
    first = manage(*PRINT_KEY, data_dir=tmp_path, FACTCHECK_EMBEDDED="1")
    second = manage(*PRINT_KEY, data_dir=tmp_path, FACTCHECK_EMBEDDED="1")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr

    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text()
    assert len(key_file.read_text()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() != OLD_PUBLIC_KEY


def test_each_embedded_installation_gets_its_own_key(tmp_path):
    one = manage(*PRINT_KEY, data_dir=tmp_path / "one", FACTCHECK_EMBEDDED="1")
    other = manage(*PRINT_KEY, data_dir=tmp_path / "other", FACTCHECK_EMBEDDED="1")
    assert one.stdout.strip() != other.stdout.strip()


def test_production_defaults_to_https_only(tmp_path):
    result = manage(*PRINT_SETTINGS, data_dir=tmp_path, **production_env())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_the_plain_http_opt_out_disables_the_redirect_secure_cookies_and_hsts(tmp_path):
    env = {**production_env(), "FACTCHECK_INSECURE_HTTP": "1"}
    result = manage(*PRINT_SETTINGS, data_dir=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_a_proxy_header_name_tells_django_which_requests_came_over_https(tmp_path):
    env = {**production_env(), "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    result = manage(*PRINT_SETTINGS, data_dir=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_the_test_run_serves_plain_http():
    # The test client and the live server (Selenium) speak plain HTTP.
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False


@pytest.mark.django_db
def test_a_messages_cookie_signed_with_the_old_public_key_is_ignored(client, reviewer):
    with override_settings(SECRET_KEY=OLD_PUBLIC_KEY):
        forged = CookieStorage(HttpRequest())._encode(
            [Message(constants.INFO, mark_safe('<b id="forged">owned</b>'))]
        )
    client.force_login(reviewer)
    client.cookies["messages"] = forged
    response = client.get("/admin/", follow=True)  # a reviewer lands on My work
    assert response.status_code == 200
    assert b'id="forged"' not in response.content
    assert b"owned" not in response.content


@pytest.mark.django_db
def test_passwords_go_through_all_four_of_django_s_validators():
    user = User(username="rita_reviewer", email="rita@example.org")
    for weak in ["rita_reviewer1", "short", "password123", "8472910364"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("correct horse battery staple", user)


@pytest.mark.django_db
def test_the_demo_password_passes_the_validators_and_logs_in(client):
    # create_user/set_password do not validate; the demo's password also passes, so a person
    # changing it to the same value in the admin is not refused.
    user = User.objects.create_user("demo-reviewer", password=DEMO_PASSWORD, is_staff=True)
    validate_password(DEMO_PASSWORD, user)
    response = client.post(
        "/admin/login/", {"username": "demo-reviewer", "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response.url == "/admin/"
