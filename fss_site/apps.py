from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FssSiteConfig(AppConfig):
    name = "fss_site"
    verbose_name = _("Webbplatsen")
