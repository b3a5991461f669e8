"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import os

from django.core.wsgi import get_wsgi_application

from fss_site.cache import PageCacheWSGI

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss_site.settings.production")

# Cache hits are answered before Django builds a request (see fss_site.cache).
application = PageCacheWSGI(get_wsgi_application())
