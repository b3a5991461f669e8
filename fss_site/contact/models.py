"""The contact page through which journalists and organisers reach a spokesperson."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class ContactPage(Page):
    """Kontakt: the form that sends a request to the association."""

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("kontaktsida")
        verbose_name_plural = _("kontaktsidor")
