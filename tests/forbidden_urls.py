"""The site's addresses plus one that refuses every visitor (for the 403 page's test)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from fss_site.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("ingen-atkomst/", forbidden), *site_urlpatterns]
