from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet

from fss_site.snippets import VocabularyViewSet

from .models import Organisation


class OrganisationViewSet(VocabularyViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisationer")
    menu_order = 220
    list_display = ["name", "url"]
    list_export = ["name", "url"]


register_snippet(OrganisationViewSet)
