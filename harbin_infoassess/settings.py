"""Settings for harbin_infoassess, read from the environment (django-environ)."""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from core import assessment

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def strict_bool(name: str, default: bool) -> bool:
    """A boolean switch that refuses typos: `SECURE_SSL_REDIRECT=flase` must not silently mean False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"true", "1", "yes", "on"}:
        return True
    if raw in {"false", "0", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


DEBUG: bool = strict_bool("DEBUG", default=False)
# The default key is marked insecure on purpose: `check --deploy` refuses it.
SECRET_KEY: str = env("SECRET_KEY", default="django-insecure-development-key-never-use-in-production")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "audit",
    "accounts",
    "notifications",
    "units",
    "submissions",
    "scoring",
    "bulletins",
    "awards",
    "editorial",
    "operations",
    "reminders",
    "harbin_infoassess",  # project-level: the start page and the demo loader (seed_demo)
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every response, redirects and errors included, gets a request id and a log line.
    "operations.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body (sessions, CSRF, the login check): an oversized one is refused unread.
    "accounts.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: it records every 403 below it, with the user and address.
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages middleware (it tells the user why), before anything else acts for the user.
    "accounts.middleware.SessionLimitMiddleware",
    # After the messages middleware: it tells the logged-out officer why.
    "accounts.middleware.ActiveUnitMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.AuditorScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: a page asked for a part of itself (award picking in place).
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harbin_infoassess.urls"

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
                "harbin_infoassess.navigation.navigation",
            ],
            "builtins": ["core.dates"],
        },
    },
]

WSGI_APPLICATION = "harbin_infoassess.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at BEGIN,
    # so two concurrent writers queue instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Persistent connections: a new PostgreSQL connection per request costs more than most pages.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Computed assessments, kept per data version (units/versioning.py). Memory of each process by default;
# several application servers share Redis: CACHE_BACKEND=django.core.cache.backends.redis.RedisCache.
CACHES = {
    "default": {
        "BACKEND": env("CACHE_BACKEND", default="django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env("CACHE_LOCATION", default="assessments"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
# django-axes watches every login (the site's and any other): locked-out pairs are refused before the password
# is checked. A pair is one username from one address; other users and other addresses are not affected.
# A session names the backend that made it: sessions made with Django's own ModelBackend before this one ended once
# (within the idle limit, SESSION_COOKIE_AGE, anyway).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.UnitModelBackend"]
AXES_FAILURE_LIMIT: int = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "audit.services.client_address"
# Locks are seen and lifted on 账号 → 登录锁定, not on the admin site.
AXES_ENABLE_ADMIN = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Logins and logouts are in the audit trail and the security log; axes keeps only the failures it counts, and does not log a
# start-up banner for every process and management command.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese whatever the browser asks for: no LocaleMiddleware, one language. locale/ words Django's
# own messages as the office writes them.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = assessment.TIME_ZONE.key
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (uploaded ledgers, rendered documents): never served publicly, included in every backup.
MEDIA_URL = "media/"
MEDIA_ROOT: Path = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Ledger uploads: the page accepts at least 20 MB (INTERFACES.md); 64 MB takes a sheet of Excel's 1,048,576 rows
# (about 31 MB as openpyxl writes it) with room to spare.
LEDGER_UPLOAD_MAX_BYTES: int = env.int("LEDGER_UPLOAD_MAX_BYTES", default=64 * 1024 * 1024)
# Uploaded ledgers are kept under MEDIA_ROOT (import history) and imported by a background worker
# (`manage.py db_worker`): the queue is a table of the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# E-mail of the notices: on when EMAIL_HOST is set (README: E-mail). With DEBUG the mails are printed (console).
EMAIL_HOST: str = env("EMAIL_HOST", default="")
EMAIL_PORT: int = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER: str = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD: str = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS: bool = strict_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL: bool = strict_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT: int = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL: str = env("DEFAULT_FROM_EMAIL", default="infoassess@localhost")
EMAIL_BACKEND: str = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
# The site's address, so a mailed notice can carry its link (e.g. https://infoassess.example.org).
SITE_URL: str = env("SITE_URL", default="")
# How long audit records are kept before `prune_audit` (no arguments, run monthly) deletes them; 180 at least.
AUDIT_RETENTION_DAYS: int = env.int("AUDIT_RETENTION_DAYS", default=180)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Production assumes HTTPS; each switch can be turned off for a site behind a TLS proxy.
SECURE_SSL_REDIRECT: bool = strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE: bool = strict_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE: bool = strict_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = strict_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD: bool = strict_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Behind our proxy: trust its X-Forwarded-Proto, and the address it appends to X-Forwarded-For (audit.services).
BEHIND_TLS_PROXY: bool = strict_bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Sessions: an idle timeout (a request renews the session's age, at most once a minute:
# accounts.middleware.SessionLimitMiddleware, so a page view does not write the session row each time), an absolute
# limit after login, and nothing kept once the browser closes.
SESSION_COOKIE_AGE: int = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS: int = env.int("SESSION_ABSOLUTE_HOURS", default=8) * 3600

# No inline script or style anywhere: every script and style sheet is a static file of this site. Bootstrap's
# icons are data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=(self)"
)
# Monitoring may ask the application server directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Backups (manage.py backup / restore): where archives go and how long they are kept.
BACKUP_DIR: Path = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
BACKUP_KEEP_DAYS: int = env.int("BACKUP_KEEP_DAYS", default=30)
BACKUP_KEEP_COUNT: int = env.int("BACKUP_KEEP_COUNT", default=30)
# /healthz: the newest backup may be this old (0: do not check); the task worker must have reported within a minute.
HEALTH_BACKUP_MAX_AGE_HOURS: int = env.int("HEALTH_BACKUP_MAX_AGE_HOURS", default=26)
HEALTH_REQUIRE_WORKER: bool = strict_bool("HEALTH_REQUIRE_WORKER", default=False)
# Shown on the status page and written into backup manifests; the git commit when not set.
APP_VERSION: str = env("APP_VERSION", default="")

# One JSON line per event on standard output in production; readable lines while developing.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "operations.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "operations.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # Standard output under the application server; manage.py sets standard error for commands.
            "stream": "ext://sys.stderr" if env("LOG_STREAM", default="stdout") == "stderr" else "ext://sys.stdout",
            "filters": ["request_context"],
            "formatter": "plain" if DEBUG else "json",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own console handler would print its events a second time.
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}
