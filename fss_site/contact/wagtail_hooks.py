"""Contact requests in the Wagtail admin.

Editors list, filter (spokesperson, status, date) and export (CSV/XLSX) the requests;
moderators can also change the status (e.g. mark as handled) and add a note. Everything a
visitor sent is read-only, and nobody creates requests in the admin. The spam counter per
day is a read-only list beside it.
"""

import django_filters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from people.models import PersonPage

from .delivery import ADMIN_NAMESPACE
from .models import ContactRequest, SpamCount, format_days


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, except that nobody may create (or copy) objects in the admin."""

    denied = {"add"}

    def user_has_permission(self, user, action):
        if action in self.denied:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.denied]
        if not allowed:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(allowed)


class ReadOnlyPermissionPolicy(NoAddPermissionPolicy):
    denied = {"add", "change", "delete"}


# Must be registered before any viewset touches the models' policies.
CONTACT_REQUEST_POLICY = NoAddPermissionPolicy(ContactRequest)
register_permission_policy(ContactRequest, CONTACT_REQUEST_POLICY)
register_permission_policy(SpamCount, ReadOnlyPermissionPolicy(SpamCount))


def _spokespeople_for_filter(request):
    return PersonPage.objects.filter(is_spokesperson=True).order_by("title")


class ContactRequestFilterSet(WagtailFilterSet):
    spokesperson = django_filters.ModelChoiceFilter(
        label=_("Talesperson"), queryset=_spokespeople_for_filter
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ContactRequest.Status.choices,
        empty_label=_("Alla"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Typ av förfrågan"),
        choices=ContactRequest.Kind.choices,
        empty_label=_("Alla"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Inkommen"), widget=DateRangePickerWidget
    )

    class Meta:
        model = ContactRequest
        fields = ["spokesperson", "status", "kind", "created_at"]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value):
    """Stop spreadsheet programs from running what a visitor typed as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class ContactRequestIndexView(generic.IndexView):
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return _csv_safe(value)
        return value


READ_ONLY_FIELDS = [
    "created_at",
    "name",
    "email",
    "organisation",
    "phone",
    "kind",
    "spokesperson_name",
    "topic_name",
    "preferred_days",
    "message",
    "consent_at",
]


class PreferredDaysPanel(FieldPanel):
    def format_value_for_display(self, value):
        return format_days(value) or "–"


class ContactRequestViewSet(ModelViewSet):
    model = ContactRequest
    name = ADMIN_NAMESPACE
    url_prefix = "kontaktforfragningar"
    icon = "mail"
    menu_label = _("Förfrågningar")
    index_view_class = ContactRequestIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        *READ_ONLY_FIELDS,
        "status",
        "note",
        "handled_at",
        "spam_reason",
        "attempts",
        "last_attempt_at",
        "last_error",
        "sent_at",
        "confirmation_sent_at",
    ]
    list_display = [
        "name",
        "organisation",
        "kind",
        Column("spokesperson_name", label=_("Talesperson"), sort_key="spokesperson_name"),
        Column("topic_name", label=_("Ämne"), sort_key="topic_name"),
        "status",
        DateColumn("created_at", label=_("Inkommen"), sort_key="created_at"),
        Column("attempts", label=_("Försök")),
    ]
    list_per_page = 50
    filterset_class = ContactRequestFilterSet
    search_fields = ["name", "email", "organisation", "message"]
    ordering = ["-created_at"]
    list_export = [
        "created_at",
        "status",
        "kind",
        "name",
        "email",
        "organisation",
        "phone",
        "spokesperson_name",
        "topic_name",
        "preferred_days_display",
        "message",
        "sent_at",
        "attempts",
        "last_error",
        "handled_at",
        "note",
    ]
    export_headings = {
        "created_at": _("Inkommen"),
        "kind": _("Typ av förfrågan"),
        "spokesperson_name": _("Talesperson"),
        "topic_name": _("Ämne"),
        "preferred_days_display": _("Önskade dagar"),
    }
    export_filename = "kontaktforfragningar"
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("status"), FieldPanel("note")],
                heading=_("Hantering"),
            ),
            MultiFieldPanel(
                [
                    PreferredDaysPanel(name, read_only=True)
                    if name == "preferred_days"
                    else FieldPanel(name, read_only=True)
                    for name in READ_ONLY_FIELDS
                ],
                heading=_("Förfrågan"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("spam_reason", read_only=True),
                    FieldPanel("attempts", read_only=True),
                    FieldPanel("last_attempt_at", read_only=True),
                    FieldPanel("last_error", read_only=True),
                    FieldPanel("sent_at", read_only=True),
                    FieldPanel("confirmation_sent_at", read_only=True),
                    FieldPanel("handled_at", read_only=True),
                ],
                heading=_("Utskick"),
            ),
        ]
    )


class SpamCountViewSet(ModelViewSet):
    model = SpamCount
    name = "contact_spam_counts"
    url_prefix = "skrapraknare"
    icon = "warning"
    menu_label = _("Skräp per dag")
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["day", "reason", "count"]
    list_filter = ["reason"]
    form_fields = ["count"]
    list_export = ["day", "reason", "count"]
    export_filename = "skrap-per-dag"


class ContactViewSetGroup(ModelViewSetGroup):
    menu_label = _("Kontaktförfrågningar")
    menu_icon = "mail"
    menu_order = 250
    items = (ContactRequestViewSet, SpamCountViewSet)


@hooks.register("register_admin_viewset")
def register_contact_viewsets():
    return ContactViewSetGroup()


class ContactRequestsPanel(Component):
    """On the admin dashboard: new, sent-but-unhandled and unsent requests."""

    name = "contact_requests"
    template_name = "contact/admin/home_panel.html"
    order = 140

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        Status = ContactRequest.Status
        context.update(
            ContactRequest.objects.aggregate(
                new=Count("pk", filter=Q(status=Status.NEW)),
                sent=Count("pk", filter=Q(status=Status.SENT)),
                failed=Count("pk", filter=Q(status=Status.FAILED)),
            )
        )
        context["index_url"] = reverse(f"{ADMIN_NAMESPACE}:index")
        return context


@hooks.register("construct_homepage_panels")
def add_contact_requests_panel(request, panels):
    if CONTACT_REQUEST_POLICY.user_has_any_permission(request.user, ["view", "change"]):
        panels.append(ContactRequestsPanel())
