from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FssSiteConfig(AppConfig):
    name = "fss_site"
    verbose_name = _("Webbplatsen")

    def ready(self):
        # Invalidation and renditions also for management commands (publish_scheduled,
        # import_seeds), not only for web requests.
        from fss_site import cache, renditions

        cache.connect_signals()
        renditions.connect_signals()
