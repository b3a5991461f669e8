"""The event's form in the admin: its attendance schedule checked against its days.

The schedule is what journalists search by ("who is in Almedalen on Tuesday?"): a day
typed with last year's date, or a person entered twice for the same day, would be shown
to them as it was entered. The form refuses both, at the row, before anything is saved:

- a day that is not one of the event's days (from its first to its last day, in Stockholm
  time, as ``EventPage.first_day`` and ``last_day`` tell them);
- the same person on the same day twice.

Among the participants, the same person in the same part twice (the page would list them
twice) is refused too; one person may have two parts (moderator and speaker).

Rows marked for deletion are not checked. Pages written by the import are not made through
this form.
"""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from fss_site.admin_forms import refuse_repeats, saved_rows, year_error
from fss_site.templatetags.fss_tags import swedish_date


class EventPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        participants = self.formsets.get("participants")
        if participants is not None:
            refuse_repeats(
                saved_rows(participants),
                lambda data: (data["person"].pk, data["part"]) if data.get("person") else None,
                "person",
                _("Personen medverkar redan i den här rollen."),
            )
        formset = self.formsets.get("attendance_days")
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if formset is None or not start or (end and end < start):
            return cleaned_data
        if year_error(start) or year_error(end):
            return cleaned_data  # the event's own dates are refused (EventPage.clean)
        first, last = self._event_days(start, end)
        outside = _("Dagen ligger utanför evenemanget (%(first)s–%(last)s).") % {
            "first": swedish_date(first),
            "last": swedish_date(last),
        }
        rows = []
        for form, data in saved_rows(formset):
            if not first <= data["day"] <= last:
                form.add_error("day", outside)
            else:
                rows.append((form, data))
        refuse_repeats(
            rows,
            lambda data: (data["person"].pk, data["day"]) if data.get("person") else None,
            "day",
            _("Personen står redan på den här dagen i schemat."),
        )
        return cleaned_data

    def _event_days(self, start, end) -> tuple:
        """The event's first and last day by the page's own rule, for the start and end as
        entered."""
        from events.models import EventPage

        event = EventPage(start=start, end=end)
        return event.first_day, event.last_day
