"""A request body the application did not read is read to its end before the answer goes.

Django answers some requests without reading their body: a form refused by the CSRF
check because its cookie is gone (an editor's upload after the cookies were cleared), a
form announced larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``. Django's development server
reads what is left itself (its ``ServerHandler.close``) and leaves that to the server in
production. granian does not: it closes the connection with the body unread. A client
still sending a body of some megabytes then gets a reset instead of the answer (the
browser's "connection reset" rather than the page that says what to do), and Varnish in
front, which sends the whole body first, answers 503 ("Sidan kan inte visas just nu")
or resets the connection itself, instead of passing the refusal on.

:class:`ReadUnreadBody` wraps the application: the rest of a body the application left
unread is read after the application has answered and before the answer is sent, so the
client hears the answer and the connection stays open for its next request. Never more
than ``CONTENT_LENGTH`` bytes are read in all (PEP 3333); a body without one (chunked) is
left as it is, and so is a body announced larger than ``FSS_UNREAD_BODY_LIMIT`` (the TLS
proxy's ``client_max_body_size``): the connection is closed then, as before, rather than a
worker thread reading megabytes nobody asked for. Requests without a body (every GET)
pass through untouched.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

# The TLS proxy's client_max_body_size (deploy/nginx/fss-site.conf): no larger body
# reaches the application through it.
DEFAULT_LIMIT = 25 * 1024 * 1024
CHUNK = 64 * 1024


def _announced_length(environ) -> int:
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class _CountingInput:
    """``wsgi.input`` that counts what the application reads of it."""

    def __init__(self, stream):
        self._stream = stream
        self.consumed = 0

    def _counted(self, data: bytes) -> bytes:
        self.consumed += len(data)
        return data

    def read(self, size=-1):
        if size is None or size < 0:
            return self._counted(self._stream.read())
        return self._counted(self._stream.read(size))

    def readline(self, size=-1):
        if size is None or size < 0:
            return self._counted(self._stream.readline())
        return self._counted(self._stream.readline(size))

    def readlines(self, hint=-1):
        return [self._counted(line) for line in self._stream.readlines(hint)]

    def __iter__(self):
        for line in self._stream:
            yield self._counted(line)


class ReadUnreadBody:
    """WSGI wrapper: reads what the application left of the request body (see above)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        length = _announced_length(environ)
        limit = getattr(settings, "FSS_UNREAD_BODY_LIMIT", DEFAULT_LIMIT)
        if not length or length > limit or "wsgi.input" not in environ:
            return self.app(environ, start_response)
        counting = _CountingInput(environ["wsgi.input"])
        environ["wsgi.input"] = counting
        result = self.app(environ, start_response)
        self._read_rest(counting, length)
        return result

    @staticmethod
    def _read_rest(counting: _CountingInput, length: int) -> None:
        remaining = length - counting.consumed
        try:
            while remaining > 0:
                data = counting.read(min(CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
        except Exception as exc:  # the client went away: the server closes, as it would
            logger.debug("Resten av förfrågan kunde inte läsas: %s", exc.__class__.__name__)
