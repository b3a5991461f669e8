from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Evenemang")

    def ready(self):
        from . import signals

        signals.connect()
