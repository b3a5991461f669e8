"""Forms of the public pages (GET filters that work without JavaScript)."""

import itertools

from django import forms
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

INVALID_CHOICE = _("Välj ett av alternativen i listan.")


class PublicForm(forms.Form):
    """A form on a public page, rendered on every view of it.

    Its widgets go through Django's own Jinja2 versions of its widget templates (the same
    HTML). With the Django template engine, a form's options and inputs took most of its
    page's time: each option is a template of its own, and its attributes another.
    """

    default_renderer = Jinja2()


class PeopleFilterForm(PublicForm):
    """Filter board members and spokespeople by competence area, region and Almedalen day.

    Choices come from the data (topics, regions in roles, days in attendance schedules of
    coming events); a value that is not among them is an error shown at its field.
    """

    amne = forms.ChoiceField(
        label=_("Kompetensområde"),
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, error_messages={"invalid_choice": INVALID_CHOICE}
    )
    dag = forms.ChoiceField(
        label=_("Dag i Almedalen"),
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )

    def __init__(self, data, *, topics, regions, days):
        """``days`` is a list of (date, event title, label) rows ordered by date."""
        super().__init__(data)
        self.fields["amne"].choices = [("", _("Alla kompetensområden"))] + [
            (topic.slug, topic.name) for topic in topics
        ]
        self.fields["region"].choices = [("", _("Alla regioner"))] + [(r, r) for r in regions]
        day_choices: list = [("", _("Alla dagar"))]
        events = sorted({title for _day, title, _label in days})
        if len(events) > 1:
            for title, rows in itertools.groupby(
                sorted(days, key=lambda row: (row[1], row[0])), key=lambda row: row[1]
            ):
                day_choices.append((title, [(d.isoformat(), label) for d, _t, label in rows]))
        else:
            day_choices.extend((d.isoformat(), label) for d, _t, label in days)
        self.fields["dag"].choices = day_choices
        self.has_days = bool(days)

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"id_{name}-error"
                widget.attrs["aria-invalid"] = "true"

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)
