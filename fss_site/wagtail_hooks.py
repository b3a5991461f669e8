"""Admin hooks: the snippets of the site-wide vocabulary, registered with list filters and
search, and the page locks of creations, changes of slug, copies and moves
(fss_site.page_locks)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from . import page_locks
from .models import Topic
from .snippets import VocabularyViewSet


class TopicViewSet(VocabularyViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Ämnen")
    menu_order = 200
    list_display = ["name", "slug"]
    sort_order_field = "sort_order"
    list_export = ["name", "slug", "description"]


register_snippet(TopicViewSet)


@hooks.register("before_create_page")
def _one_creation_per_parent(request, parent_page, page_class):
    # See fss_site.page_locks: the losing request of a same-slug race gets a form error.
    if request.method == "POST":
        page_locks.lock_parent(parent_page)


@hooks.register("before_edit_page")
def _one_new_slug_per_parent(request, page):
    # An edit that gives the page another slug races with a creation (or another such
    # edit) under the same parent as two creations do: the same lock.
    if request.method == "POST" and request.POST.get("slug", page.slug) != page.slug:
        parent = page.get_parent()
        if parent is not None:
            page_locks.lock_parent(parent)


@hooks.register("before_copy_page")
def _one_copy_arrival_per_parent(request, page):
    # A copy's form checks that its slug is free under the parent it goes to, then copies:
    # the same race as a creation, the same lock, taken before the form is checked.
    if request.method != "POST":
        return
    try:
        parent = Page.objects.get(pk=int(request.POST.get("new_parent_page", "")))
    except (ValueError, Page.DoesNotExist):
        return  # the form tells the editor
    page_locks.lock_parent(parent)


@hooks.register("before_move_page")
def _one_arrival_per_parent(request, page, destination):
    # Wagtail checks that the slug is free under the destination before this hook, without
    # a lock (Page._slug_is_available): checked again here, under the destination's lock,
    # and refused as Wagtail refuses it (a message, back to the move form).
    if request.method != "POST":
        return None
    page_locks.lock_parent(destination)
    if Page._slug_is_available(page.slug, destination, page=page):
        return None
    messages.error(
        request,
        _(
            "Adressen ”%(slug)s” används redan under den valda sidan. Ge sidan en annan "
            "adress och försök igen."
        )
        % {"slug": page.slug},
    )
    return redirect("wagtailadmin_pages:move", page.id)
