from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Organisation


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisationer")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "url"]
    search_fields = ["name"]
    list_filter = {"name": ["icontains"]}
    list_export = ["name", "url"]


register_snippet(OrganisationViewSet)
