"""
Settings for Newsroom, read from the environment (and an optional `.env` file).

Every variable is documented in README.md and `.env.example`. The defaults give
a local development site on an embedded SQLite database; production sets
DEBUG off, a SECRET_KEY, hosts, DATABASE_URL and CACHE_URL.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Real environment variables win over the file, so one-off overrides work.
ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(DEBUG is off, so there is no development fallback)."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (DEBUG only)
elif not DEBUG and (
    # Django's own test of a strong key (check --deploy, security.W009), enforced:
    # a guessable key lets anyone forge sessions, preview links and password resets.
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for a site with DEBUG off: use at least 50 random "
        "characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prose_editor",
    "simple_history",
    "axes",
    # The domain, then the apps built on it (README: How the code is laid out).
    "sections",
    "articles",
    "search",
    "reader",
    "importers",
    "demo",
]

MIDDLEWARE = [
    # First, so it stores pages with every header the others add.
    "reader.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "reader.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a 404 at an article's old address into a 301 to its current one.
    "reader.middleware.RedirectFallbackMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for
# one account from one address, that pair is locked out for AXES_COOLOFF_TIME;
# the login form says so. Other accounts and addresses are unaffected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind Varnish and a TLS terminator the client's address comes in
# X-Forwarded-For; trusted only when told so.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if env.bool("TRUST_X_FORWARDED_FOR", default=False)
    else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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

# Data: an embedded SQLite database by default, PostgreSQL (psycopg 3) via DATABASE_URL.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a writer commits; IMMEDIATE avoids
    # "database is locked" upgrades when several gunicorn workers write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # A database that does not answer must cost a request seconds, not a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
# Persistent connections: each sync gunicorn worker keeps one (for SQLite too:
# opening one, with its PRAGMAs and functions, costs more than most pages).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Django's own Redis backend, whatever third-party driver happens to be installed.
    CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="newsroom"))
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A Redis that is down or slow must cost a page a fraction of a second, not
    # a worker: past this, reader.shared serves from memory for a few seconds.
    timeout = env.float("CACHE_TIMEOUT_SECONDS", default=0.25)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_timeout=timeout, socket_connect_timeout=timeout
    )

# Whole-page cache for anonymous readers (reader.pagecache): seconds a page is
# kept (0 turns it off), memory for the newest pages in each process, and how
# often a process rereads the content version that retires them.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_MB", default=64) * 1024 * 1024
CONTENT_VERSION_CHECK_SECONDS = env.float("CONTENT_VERSION_CHECK_SECONDS", default=1.0)
# A retired page is served to other readers while one request renders it
# again, for at most this long; while the database is unreachable, cached
# pages are served for this long past their lifetime.
PAGE_CACHE_REBUILD_SECONDS = env.int("PAGE_CACHE_REBUILD_SECONDS", default=10)
PAGE_CACHE_STALE_IF_ERROR = env.int("PAGE_CACHE_STALE_IF_ERROR", default=3600)
# HTTP caches in front that are purged on every change (reader.purgers):
# VARNISH_URLS=http://127.0.0.1:6081 (comma-separated for several).
FRONTEND_CACHES = {
    f"varnish-{n}": {"BACKEND": "reader.purgers.VarnishPurger", "LOCATION": url}
    for n, url in enumerate(env.list("VARNISH_URLS", default=[]))
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# Stored in UTC, shown to readers and editors in the site's zone.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security switches: on by default in production (DEBUG off), each one overridable.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Uploads: larger requests are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

NEWSROOM_SITE_NAME = env.str("SITE_NAME", default="Newsroom")
NEWSROOM_PREVIEW_LINK_DAYS = env.int("PREVIEW_LINK_DAYS", default=7)
# PostgreSQL text-search configuration (stemming, stop words) used to index and to
# query; after changing it run `manage.py update_search_index`.
NEWSROOM_SEARCH_CONFIG = env.str("SEARCH_LANGUAGE", default="english")
# The domain in feed entry IDs (tag: URIs). Set it once: changing it makes every
# entry look new to feed readers.
NEWSROOM_FEED_ID_DOMAIN = env.str(
    "FEED_ID_DOMAIN",
    default=next((h.lstrip(".") for h in ALLOWED_HOSTS if h not in ("*", "")), "localhost"),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
