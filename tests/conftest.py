"""Shared fixtures: named users, paths to the shipped sample data, and the network guard.

Any connection to a host other than loopback fails the test (pytest-socket --allow-hosts in
pyproject.toml): Wikipedia is reached only through the local MediaWiki API double.
"""

import importlib
import ipaddress
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_migrate

from tests.wikipedia_double import wikipedia_double  # noqa: F401  (a shared fixture)

REPO_ROOT = Path(__file__).resolve().parent.parent
# Everything the tests read ships in the repository: a clone is enough, nothing beside it.
SAMPLES = REPO_ROOT / "factcheck" / "samples"
SEEDS_DIR = SAMPLES / "articles"
GOLD_PATH = SAMPLES / "gold" / "seed_claims.json"
CORPUS_PATH = SAMPLES / "wikipedia" / "syria_articles.jsonl"
SEED_000 = SEEDS_DIR / "000_78987c1eabe726c7.txt"


def ensure_desk_groups() -> None:
    """The desk groups come from data migrations; a transactional test's flush deletes them,
    so later tests re-run the same migration code rather than a second definition of it."""
    if Group.objects.filter(name__in=["Reviewer", "Editor"]).count() == 2:
        return
    # The migrations toggle models_module on the app configs they are given; with the live
    # registry, put it back so post_migrate keeps seeing these apps.
    saved = {label: apps.get_app_config(label).models_module for label in ("factcheck", "reviews")}
    try:
        for module, function in [
            ("reviews.migrations.0003_desk_groups", "create_desk_groups"),
            ("reviews.migrations.0004_desk_duplicate_suggestions", "grant"),
        ]:
            getattr(importlib.import_module(module), function)(apps, None)
    finally:
        for label, models_module in saved.items():
            apps.get_app_config(label).models_module = models_module


def restore_desk_groups_after_flush(sender, **kwargs) -> None:
    """A transactional test ends by flushing the database, which deletes the desk groups and
    then sends post_migrate: put them back there, so that no test depends on running before
    every transactional one (pytest-xdist mixes the order)."""
    if sender.label == "reviews":  # the last of our apps: every permission exists by now
        ensure_desk_groups()


def pytest_configure(config) -> None:
    post_migrate.connect(restore_desk_groups_after_flush, dispatch_uid="restore_desk_groups")
    _own_broker_database(config)


def _own_broker_database(config) -> None:
    """Under pytest-xdist (./dev test runs one test process per core) each test process gets
    its own Redis database for the broker, as each gets its own test database: a worker one
    test starts must never take another process's messages, and flushing one test's broker
    must not empty another's. Test DB names get their _gw0, _gw1 from pytest-django."""
    from django.conf import settings

    worker = getattr(config, "workerinput", {}).get("workerid")  # as pytest-django reads it
    if not worker or not settings.CELERY_BROKER_URL.startswith("redis://"):
        return
    from factcheck.celery import app

    url = broker_url_of_worker(settings.CELERY_BROKER_URL, int(worker.removeprefix("gw")))
    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url  # for the subprocesses that inherit it


def broker_url_of_worker(url: str, number: int) -> str:
    """The Redis URL with a database number of this test process's own: the given database
    for process 0, the ones below it for the others (Redis has 16: 0..15)."""
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or 0)
    if number > first:
        raise pytest.UsageError(f"no Redis database left for test process {number} below {url}")
    return urlunsplit(parts._replace(path=f"/{first - number}"))


LOCAL_NAMES = {"localhost", "testserver", "127.0.0.1", "::1", "0.0.0.0", ""}


@pytest.fixture(autouse=True)
def no_dns_outside_the_machine(monkeypatch):
    """pytest-socket refuses connections to other hosts, but a name lookup would still leave
    the machine: refuse any host name but the local ones (IP literals resolve locally)."""
    real_getaddrinfo = socket.getaddrinfo

    def local_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else (host or "")
        if name.lower() not in LOCAL_NAMES and not _is_ip_literal(name):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: no DNS lookup of {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_getaddrinfo)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across tests, cached pages must not."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing a password the production way costs about a second on this machine, for each
    user a test makes; what the tests check does not depend on the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_staff_user(username: str, group_name: str | None) -> User:
    ensure_desk_groups()
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def as_reviewer(client, reviewer):
    """The test client, logged in as the reviewer."""
    client.force_login(reviewer)
    return client


@pytest.fixture
def as_editor(client, editor):
    """The test client, logged in as the editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer(db) -> User:
    return make_staff_user("rita_reviewer", "Reviewer")


@pytest.fixture
def second_reviewer(db) -> User:
    return make_staff_user("sam_reviewer", "Reviewer")


@pytest.fixture
def editor(db) -> User:
    return make_staff_user("eddie_editor", "Editor")


@pytest.fixture
def outsider(db) -> User:
    """Staff, but in neither desk group: must not reach the queue."""
    return make_staff_user("otto_outsider", None)


def require_postgresql(why: str) -> None:
    """For tests whose behaviour is PostgreSQL's (triggers, pg_dump, NUL in text): in CI a
    missing PostgreSQL fails the test, elsewhere it skips."""
    if connection.vendor != "postgresql":
        reason = f"{why} needs PostgreSQL (DATABASE_URL=postgres://...)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; ./dev test sets it")
        pytest.skip(reason)
