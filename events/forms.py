"""The event's form in the admin: its attendance schedule checked against its days.

The schedule is what journalists search by ("who is in Almedalen on Tuesday?"): a day
typed with last year's date, or a person entered twice for the same day, would be shown
to them as it was entered. The form refuses both, at the row, before anything is saved:

- a day that is not one of the event's days (from its start to its end, in Stockholm
  time, as ``EventPage.days`` counts them);
- the same person on the same day twice.

Rows marked for deletion are not checked. Pages written by the import are not made through
this form.
"""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from fss_site.templatetags.fss_tags import swedish_date


class EventPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("attendance_days")
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if formset is None or not start or (end and end < start):
            return cleaned_data
        # Each row's own fields first: a row with an unreadable date has its error already.
        formset.is_valid()
        days = self._event_days(start, end)
        first, last = days[0], days[-1]
        seen = set()
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            day, person = data.get("day"), data.get("person")
            if day is None:
                continue
            if day not in days:
                form.add_error(
                    "day",
                    _("Dagen ligger utanför evenemanget (%(first)s–%(last)s).")
                    % {"first": swedish_date(first), "last": swedish_date(last)},
                )
            elif person is not None:
                if (person.pk, day) in seen:
                    form.add_error("day", _("Personen står redan på den här dagen i schemat."))
                seen.add((person.pk, day))
        return cleaned_data

    def _event_days(self, start, end) -> list:
        """The event's days by the page's own rule, for the start and end as entered."""
        from events.models import EventPage

        return EventPage(start=start, end=end).days
