"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import gc
import os

from django.core.wsgi import get_wsgi_application

from fss_site.cache import PageCacheWSGI
from fss_site.request_body import ReadUnreadBody

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss_site.settings.production")

# Cache hits are answered before Django builds a request (see fss_site.cache); a body
# Django leaves unread is read before the answer goes (see fss_site.request_body).
application = PageCacheWSGI(ReadUnreadBody(get_wsgi_application()))

# What is loaded by now (Django, Wagtail, the apps and their models, some 170,000 objects)
# lives as long as the process. Frozen, the garbage collector no longer goes through it:
# a full collection had to, about once in seventy page views, and took some 150 ms, on
# average 2 ms a view. The garbage there is now is collected first.
gc.collect()
gc.freeze()
