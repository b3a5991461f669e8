from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from fss_site import health

urlpatterns = [
    # Probes for load balancers; exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT).
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include("fss_site.machine_urls")),
    path("", include("fss_site.public_urls")),
    path("", include("fss_site.contact.urls")),
    path("", include(wagtail_urls)),
]
