from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from .views import (
    EDITING_PERMISSIONS,
    UndatedImportedPostsPanel,
    UndatedImportedPostsView,
    undated_imported_posts,
)


def _edits_pages(user):
    return PagePermissionPolicy().user_has_any_permission(user, EDITING_PERMISSIONS)


class EditorsMenuItem(MenuItem):
    def is_shown(self, request):
        return _edits_pages(request.user)


@hooks.register("register_admin_urls")
def register_undated_imported_posts_urls():
    return [
        path(
            "reports/importerade-utan-datum/",
            UndatedImportedPostsView.as_view(),
            name="undated_imported_posts",
        ),
        path(
            "reports/importerade-utan-datum/results/",
            UndatedImportedPostsView.as_view(results_only=True),
            name="undated_imported_posts_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_undated_imported_posts_menu_item():
    return EditorsMenuItem(
        _("Importerade inlägg utan datum"),
        reverse("undated_imported_posts"),
        name="undated-imported-posts",
        icon_name="date",
        order=650,
    )


@hooks.register("construct_homepage_panels")
def add_undated_imported_posts_panel(request, panels):
    if _edits_pages(request.user):
        count = undated_imported_posts().count()
        if count:
            panels.append(UndatedImportedPostsPanel(count))
