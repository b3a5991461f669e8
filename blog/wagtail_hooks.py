from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet

from fss_site.snippets import VocabularyViewSet

from .models import Category


class CategoryViewSet(VocabularyViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Kategorier")
    menu_order = 210
    list_display = ["name", "slug"]
    list_export = ["name", "slug", "description"]


register_snippet(CategoryViewSet)
