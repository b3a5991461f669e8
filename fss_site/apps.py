from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FssSiteConfig(AppConfig):
    name = "fss_site"
    verbose_name = _("Webbplatsen")

    def ready(self):
        # Invalidation and renditions also for management commands (publish_scheduled,
        # import_seeds), not only for web requests.
        from fss_site import cache, db_statements, renditions

        cache.connect_signals()
        renditions.connect_signals()
        # Full-text searches are planned for their own words (fss_site/db_statements.py).
        db_statements.connect_signals()
