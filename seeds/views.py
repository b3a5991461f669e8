"""The editors' follow-up of the import in the admin: imported posts still without a date.

The seed texts do not say when most posts were published, and ``seeds/editorial.toml``
holds only the dates someone knows; the import report lists the rest as "publiceringsdatum
saknas". That report is printed once, in a terminal. Until an editor sets the date, such a
post shows no date and lists after the dated posts (``BlogPage.display_date``). This
report (Rapporter → Importerade inlägg utan datum) and a panel on the dashboard list them,
for as long as any is left: a post leaves the list when it gets a date.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.admin.views.reports import PageReportView

from blog.models import BlogPage

# Who sees the report and the panel: anyone who may edit pages.
EDITING_PERMISSIONS = ["add", "change", "publish"]


def undated_imported_posts():
    """Imported posts whose date an editor still has to set."""
    return BlogPage.undated_imports()


class UndatedImportedPostsView(PageReportView):
    page_title = _("Importerade inlägg utan datum")
    header_icon = "date"
    index_url_name = "undated_imported_posts"
    index_results_url_name = "undated_imported_posts_results"
    any_permission_required = EDITING_PERMISSIONS

    def get_queryset(self):
        self.queryset = (
            self.permission_policy.instances_user_has_permission_for(self.request.user, "change")
            .filter(pk__in=undated_imported_posts().values("pk"))
            .specific(defer=True)
            .order_by("title")
        )
        return super().get_queryset()


class UndatedImportedPostsPanel(Component):
    """On the dashboard, while any imported post lacks its date."""

    name = "undated_imported_posts"
    template_name = "seeds/admin/home_panel.html"
    order = 150

    def __init__(self, count):
        self.count = count

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["count"] = self.count
        context["report_url"] = reverse("undated_imported_posts")
        return context
