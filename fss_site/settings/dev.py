"""Local development: debug on, console e-mail, a per-checkout secret key.

The secret key is generated once into ``.local/secret_key`` (ignored by git), so no
key is ever committed and a restart keeps sessions alive.
"""

import contextlib
import os
import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]


def _local_secret_key() -> str:
    path = BASE_DIR / ".local" / "secret_key"
    if not path.exists():
        # Written aside and linked into place, which fails if another process got there
        # first: then every process reads that one whole key, never a half-written file.
        path.parent.mkdir(exist_ok=True)
        aside = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        aside.write_text(secrets.token_urlsafe(50))
        aside.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
        aside.unlink()
    return path.read_text().strip()


SECRET_KEY = _local_secret_key()
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
