"""Base settings: secure by default.

Everything that differs between machines comes from the environment. ``dev`` and
``test`` relax these settings; ``production`` tightens them and requires a secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list without blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable; blank means the default."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "fss_site",
    "fss_site.contact",
    "people",
    "events",
    "blog",
    "seeds",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy: strict with nonces on the site, looser under /admin/.
    "fss_site.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in the address: 400; in a cookie: ignored (PostgreSQL cannot take it).
    "fss_site.security.NulCharacterMiddleware",
    # A number or date the database cannot hold (SQLite: past 64 bits, before year 1): 400.
    "fss_site.security.OutOfRangeMiddleware",
    # Public GET/HEAD requests may read from the replica; everything else uses the primary.
    "fss_site.db_router.ReplicaRoutingMiddleware",
    # Rendered public pages for anonymous visitors, invalidated on every change.
    "fss_site.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The site and its home page per generation: no site query on each request.
    "fss_site.listing.SiteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Must stay last: turns a lock-out noticed during the login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login (the Wagtail admin's too) before Django's own backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "fss_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "fss_site.context_processors.navigation",
            ],
        },
    },
    {
        # The list items every listing repeats, rendered by the {% items %} tag.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "fss_site.jinja.environment"},
    },
]

WSGI_APPLICATION = "fss_site.wsgi.application"

# Database: DATABASE_URL, or an SQLite file in the project directory.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
# A read replica (DATABASE_REPLICA_URL): public page views read from it, everything else
# (writes, the admin, commands, migrations) uses the primary. See fss_site/db_router.py.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
    # Tests use the primary under the replica's name instead of creating a second database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["fss_site.db_router.PrimaryReplicaRouter"]
# PostgreSQL: parameters are sent apart from the SQL, and a statement run a fifth time on
# a connection becomes a prepared statement (Django leaves preparing off unless asked).
# A page's queries are the same SQL on every view, only the values differ; planning the
# joins of Wagtail's page tables took about as long as running them. Prepared, the
# queries of a post page take 3 ms instead of 6, a topic page's 4 instead of 8. Switch it
# off (DB_SERVER_SIDE_BINDING=false) behind a pooler in transaction mode that cannot keep
# prepared statements.
DB_SERVER_SIDE_BINDING = env_bool("DB_SERVER_SIDE_BINDING", True)
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql" and DB_SERVER_SIDE_BINDING:
        _database.setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis that does not answer is a cache miss, never an error page.
            "BACKEND": "fss_site.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fss",
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
            },
        }
    }
    # Sessions live in Redis with the database behind it, so every server sees them and a
    # Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fss-site",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: the site and its admin are Swedish.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska"))]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PROJECT_DIR / "locale"]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Media on S3-compatible object storage (AWS_STORAGE_BUCKET_NAME), shared by all servers.
# Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
MEDIA_ORIGIN = ""  # where browsers fetch media from when it is not this site
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            # Image URLs end up in cached HTML, so they must not expire; documents are
            # never linked directly (they go through Wagtail's serve view).
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"https://{AWS_S3_CUSTOM_DOMAIN}"
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = AWS_S3_ENDPOINT_URL.rstrip("/")
    else:
        MEDIA_ORIGIN = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: console unless an SMTP host is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webb@socialchefer.se")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security defaults (production adds HSTS and HTTPS; dev and test relax them).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Nothing of ours is framed, except Wagtail's preview views, which set SAMEORIGIN themselves.
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A refused form: Swedish, in the site's frame; the contact form comes back filled in.
CSRF_FAILURE_VIEW = "fss_site.security.csrf_failure"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp 4). The public site allows only its own files plus
# elements carrying the per-response nonce ({{ request.csp_nonce }}); no inline code
# without it, no eval. Video embeds may frame the providers below.
CSP_EMBED_ORIGINS = env_list(
    "CSP_EMBED_ORIGINS",
    "https://www.youtube-nocookie.com,https://www.youtube.com,https://player.vimeo.com",
)
_media_sources = [MEDIA_ORIGIN] if MEDIA_ORIGIN else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_media_sources],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *CSP_EMBED_ORIGINS],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    }
}
# The Wagtail admin and its previews (everything under the admin's URL) get this looser
# policy instead, checked in a real browser (tests/test_security_browser.py):
# - script-src 'unsafe-inline': the page editor inserts inline <script> blocks (inline
#   panels, date pickers, multiple-chooser panels) through jQuery;
# - style-src 'unsafe-inline': the editor (Draftail, jQuery UI) inserts <style> elements
#   and style attributes;
# - img-src blob:: the multiple image upload previews the chosen files from blob: URLs;
#   data: as on the public site, whose templates the previews render.
# Still no eval, no nonce (a nonce would switch 'unsafe-inline' off) and no other origins.
FSS_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *_media_sources],
    }
}

# The address of the client behind our reverse proxies. TRUSTED_PROXY_COUNT is the number
# of proxies in front of the application that append to X-Forwarded-For (TLS proxy and
# Varnish: 2). The client is then that many places from the right; anything further left
# may be forged. 0 means the application is reached directly and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
FSS_CONTACT_PROXY_COUNT = TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # ipware counts the proxies after the first address in the header.
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
AXES_IPWARE_PROXY_ORDER = "left-most"
# Not strict: forged addresses a client put in front of the chain are skipped, not fatal
# (strict mode would fall back to the proxy's address and lock everybody out together).
IPWARE_STRICT = False

# Admin login lock-out (django-axes): 5 failures from one address lock that address out
# for 15 minutes with HTTP 429 and a Swedish page; other addresses are not affected.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fss_site.security.lockout_response"
AXES_ENABLE_ADMIN = False

# Wagtail
WAGTAIL_SITE_NAME = "Föreningen Sveriges socialchefer"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("sv", "Svenska")]
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Wagtail's database backend, reading queries as plain words
        # (fss_site/search_backend.py).
        "BACKEND": "fss_site.search_backend",
        # Swedish stemming on PostgreSQL; ignored by the SQLite backend.
        "SEARCH_CONFIG": "swedish",
    }
}
# OpenSearch (OPENSEARCH_URL) when search has to be shared by several servers; the
# opensearch2 backend matches the opensearch-py 2 client in requirements.txt (the 3.x
# client needs a package whose module name clashes with our events app).
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "")
if OPENSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.opensearch2",
            "URLS": env_list("OPENSEARCH_URL"),
            "INDEX_PREFIX": os.environ.get("OPENSEARCH_INDEX_PREFIX", "fss_"),
            "TIMEOUT": env_int("OPENSEARCH_TIMEOUT", 5),
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }
# Uploads: documents are always downloaded (never shown inline, not even PDFs), through
# Wagtail's serve view so privacy settings apply; images have size and pixel limits and
# SVG is not accepted (it can carry scripts).
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
# A page or document behind a password asks for it in the site's frame (template names).
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "password_required.html"  # noqa: S105  # nosec B105
WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE = WAGTAIL_PASSWORD_REQUIRED_TEMPLATE
# A page that only some groups may read asks for a login in the site's frame too.
WAGTAIL_FRONTEND_LOGIN_TEMPLATE = "login.html"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# No third parties from the admin: no avatar service, no release check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL

# Varnish (or another HTTP cache) in front of the servers: Wagtail purges changed pages.
# FRONTEND_CACHE_URL is a comma-separated list of the caches' purge addresses.
FRONTEND_CACHE_URLS = env_list("FRONTEND_CACHE_URL")
if FRONTEND_CACHE_URLS:
    INSTALLED_APPS.insert(
        INSTALLED_APPS.index("wagtail.contrib.redirects"), "wagtail.contrib.frontend_cache"
    )
    WAGTAILFRONTENDCACHE = {
        f"varnish{number}": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": url,
        }
        for number, url in enumerate(FRONTEND_CACHE_URLS, start=1)
    }

# The address contact requests go to when the site settings have none.
FSS_CONTACT_EMAIL = os.environ.get("FSS_CONTACT_EMAIL", "info@socialchefer.se")
# How long contact requests (personal data) are kept before purge_contact_requests.
FSS_CONTACT_RETENTION_DAYS = env_int("FSS_CONTACT_RETENTION_DAYS", 365)
FSS_CONTACT_SPAM_RETENTION_DAYS = env_int("FSS_CONTACT_SPAM_RETENTION_DAYS", 30)
# Accepted contact requests per client address and window (seconds).
FSS_CONTACT_RATE_LIMIT = env_int("FSS_CONTACT_RATE_LIMIT", 5)
FSS_CONTACT_RATE_WINDOW = env_int("FSS_CONTACT_RATE_WINDOW", 600)
# How long a visitor may wait for the mail server before the request is kept for retry.
FSS_CONTACT_SEND_TIMEOUT = float(os.environ.get("FSS_CONTACT_SEND_TIMEOUT", "5"))

# The public site's address; the page tree's Site gets its host name and port from it.
SITE_URL = os.environ.get("SITE_URL", "http://localhost")

# Logging: one line per event on standard error. Records never carry the request object
# (and with it the body, cookies and form data) to a handler: the filter removes it.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request_data": {"()": "fss_site.security.NoRequestDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_request_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Counts of sent and purged contact requests (never their contents).
        "fss_site.contact": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
