"""The public contact form.

Every field has a maximum length; single-line fields lose line breaks and control
characters (so nothing a visitor types can reach a mail header); the chosen Almedalen days
must be days the chosen spokesperson is there. The spam checks (honeypot, signed fill-time
timestamp) never show an error: they only set ``spam_reason``.
"""

import re
import unicodedata
from collections import OrderedDict

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from events.models import AttendanceDay
from fss_site.ids import MAX_ID_DIGITS
from fss_site.public_forms import PublicForm
from people.models import PersonPage

from . import antispam
from .models import ContactRequest

MAX_LENGTH_MESSAGE = _("Skriv högst %(limit_value)d tecken (nu %(show_value)d).")
PHONE_RE = re.compile(r"^\+?[0-9\s()\-–/]{5,}$")


def single_line(value):
    """Collapse every kind of whitespace (CR, LF, tabs, Unicode separators) to one space and
    drop other control characters, so the value is safe in a mail header."""
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc" or ch.isspace())
    return " ".join(value.split())


def multi_line(value):
    """Normalise line breaks to LF and drop control characters other than LF and tab."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"}
    ).strip()


def spokespeople():
    """The people who can be chosen: live person pages marked as spokespeople."""
    return PersonPage.objects.live().filter(is_spokesperson=True).order_by("title")


def find_spokesperson(value):
    """A live spokesperson by page id or slug (as in ``?talesperson=``), or None."""
    value = (value or "").strip()[:255]
    if not value:
        return None
    people = spokespeople()
    if value.isdigit():
        if len(value) > MAX_ID_DIGITS:
            return None  # no id is that long (fss_site/ids.py)
        return people.filter(pk=int(value)).first()
    return people.filter(slug=value).first()


class ListedChoices(forms.models.ModelChoiceIterator):
    """A choice field's options from one ordinary query of the columns its labels use.

    Django's iterator reads every column of each row through a server-side cursor (on
    PostgreSQL, three round trips), and the form is rendered on every view of the contact
    page, which no cache can keep (its CSRF token). A chosen value is still looked up in
    the field's own queryset when the form is sent.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.only(*self.field.label_fields):
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices
    label_fields = ("name",)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            # A number the database cannot hold (SQLite): no choice has that id.
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class SpokespersonField(ListedChoiceField):
    label_fields = ("title", "job_title")

    def label_from_instance(self, obj):
        return f"{obj.title} – {obj.job_title}" if obj.job_title else obj.title


class ContactForm(PublicForm):
    name = forms.CharField(
        label=_("Namn"),
        max_length=ContactRequest.NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Fyll i ditt namn."), "max_length": MAX_LENGTH_MESSAGE},
    )
    email = forms.EmailField(
        label=_("E-postadress"),
        max_length=ContactRequest.EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text=_("Vi svarar hit och skickar en bekräftelse."),
        error_messages={
            "required": _("Fyll i din e-postadress."),
            "invalid": _("Fyll i en giltig e-postadress, till exempel namn@exempel.se."),
            "max_length": MAX_LENGTH_MESSAGE,
        },
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=ContactRequest.ORGANISATION_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("Till exempel redaktion, kommun, förvaltning eller arrangör."),
        error_messages={
            "required": _("Fyll i vilken organisation du kommer från."),
            "max_length": MAX_LENGTH_MESSAGE,
        },
    )
    phone = forms.CharField(
        label=_("Telefon"),
        required=False,
        max_length=ContactRequest.PHONE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
    )
    kind = forms.ChoiceField(
        label=_("Vad gäller förfrågan?"),
        choices=ContactRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj vad förfrågan gäller."),
            "invalid_choice": _("Välj ett av alternativen."),
        },
    )
    spokesperson = SpokespersonField(
        label=_("Talesperson"),
        queryset=PersonPage.objects.none(),
        required=False,
        empty_label=_("Ingen särskild – FSS föreslår någon"),
        help_text=_("Välj den du vill nå, eller låt oss föreslå någon."),
        error_messages={"invalid_choice": _("Välj en talesperson i listan.")},
    )
    topic = ListedChoiceField(
        label=_("Ämne"),
        queryset=None,
        required=False,
        empty_label=_("Inget särskilt ämne"),
        error_messages={"invalid_choice": _("Välj ett ämne i listan.")},
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Önskade dagar i Almedalen"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Bara för möten i Almedalen. Välj bland dagarna då den talesperson du valt är på plats."
        ),
        error_messages={"invalid_choice": _("Välj bland dagarna i listan.")},
    )
    message = forms.CharField(
        label=_("Meddelande"),
        max_length=ContactRequest.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Berätta vad det gäller, när och var. Högst 5 000 tecken."),
        error_messages={"required": _("Skriv ett meddelande."), "max_length": MAX_LENGTH_MESSAGE},
    )
    consent = forms.BooleanField(
        label=_("Jag godkänner att FSS behandlar mina uppgifter för att besvara förfrågan."),
        error_messages={
            "required": _(
                "Du behöver godkänna att vi behandlar dina uppgifter för att kunna skicka "
                "förfrågan."
            )
        },
    )
    # Honeypot: hidden with CSS; people leave it empty.
    website = forms.CharField(
        label=_("Lämna tomt"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    ts = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    # Fields whose label, help text and errors the template renders; in this order.
    summary_order = [
        "name",
        "email",
        "organisation",
        "phone",
        "kind",
        "spokesperson",
        "topic",
        "days",
        "message",
        "consent",
    ]

    def __init__(self, *args, **kwargs):
        from fss_site.models import Topic

        super().__init__(*args, **kwargs)
        self.fields["spokesperson"].queryset = spokespeople()
        self.fields["topic"].queryset = Topic.objects.all()
        self.fields["days"].choices = self._day_choices()
        self.spam_reason = ""
        self.token_state = None
        self._set_descriptions()

    # -- Almedalen days -------------------------------------------------------------------

    def _day_choices(self):
        today = timezone.localdate()
        rows = (
            AttendanceDay.objects.filter(person__in=spokespeople(), page__live=True, day__gte=today)
            .select_related("person", "page")
            # What the labels and the day groups show: not the people's and events' texts.
            .only("day", "preliminary", "person__title", "page__title")
            .order_by("person__title", "day", "pk")
        )
        self._days_by_id = {row.pk: row for row in rows}
        events = {row.page_id for row in rows}
        self._many_events = len(events) > 1
        return [(row.pk, self._day_label(row)) for row in rows]

    def _day_label(self, row):
        label = formats.date_format(row.day, "l j F Y")
        if self._many_events:
            label = f"{label} ({row.page.title})"
        if row.preliminary:
            label = f"{label} – {_('preliminärt')}"
        return label

    def _selected_person_pk(self):
        if self.is_bound:
            value = self.data.get(self.add_prefix("spokesperson"))
        else:
            value = self.initial.get("spokesperson")
        value = getattr(value, "pk", value)
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    @property
    def day_groups(self):
        """The day choices grouped per person, the chosen person first, for the template."""
        if self.is_bound:
            checked = {str(v) for v in self.data.getlist(self.add_prefix("days"))}
        else:
            checked = {str(v) for v in self.initial.get("days", [])}
        groups = OrderedDict()
        for pk, label in self.fields["days"].choices:
            row = self._days_by_id[pk]
            group = groups.setdefault(row.person_id, {"person": row.person, "days": []})
            group["days"].append(
                {
                    "value": pk,
                    "label": label,
                    "id": f"{self['days'].auto_id}_{pk}",
                    "checked": str(pk) in checked,
                }
            )
        ordered = list(groups.values())
        selected = self._selected_person_pk()
        ordered.sort(key=lambda group: group["person"].pk != selected)
        return ordered

    @property
    def first_day_id(self):
        groups = self.day_groups
        return groups[0]["days"][0]["id"] if groups else self["days"].auto_id

    # -- accessibility ---------------------------------------------------------------------

    def _set_descriptions(self):
        """Tie help texts and errors to their fields with aria-describedby."""
        errors = self._errors or {}
        for name in self.summary_order:
            bound = self[name]
            ids = []
            if bound.help_text:
                ids.append(f"{bound.auto_id}_help")
            if name in errors:
                ids.append(f"{bound.auto_id}_error")
            if name == "consent":
                ids.append("consent_privacy")
            attrs = self.fields[name].widget.attrs
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            else:
                attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self._set_descriptions()

    @property
    def descriptions(self):
        """aria-describedby values by field name, for fieldsets in the template."""
        return {
            name: self.fields[name].widget.attrs.get("aria-describedby", "")
            for name in self.summary_order
        }

    @property
    def error_summary(self):
        """(anchor, message) pairs for the error summary at the top of the form."""
        items = [("#contact-form", message) for message in self.non_field_errors()]
        for name in self.summary_order:
            if name in self.errors:
                anchor = self.first_day_id if name == "days" else self[name].id_for_label
                if name == "kind":
                    anchor = f"{self[name].auto_id}_0"
                for message in self.errors[name]:
                    items.append((f"#{anchor}", message))
        return items

    # -- cleaning --------------------------------------------------------------------------

    def clean_name(self):
        return single_line(self.cleaned_data["name"])

    def clean_organisation(self):
        return single_line(self.cleaned_data["organisation"])

    def clean_email(self):
        return single_line(self.cleaned_data["email"])

    def clean_phone(self):
        phone = single_line(self.cleaned_data.get("phone", ""))
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _("Skriv telefonnumret med siffror, till exempel 070-123 45 67."),
                code="invalid",
            )
        return phone

    def clean_message(self):
        message = multi_line(self.cleaned_data["message"])
        if not message:
            raise forms.ValidationError(_("Skriv ett meddelande."), code="required")
        return message

    def clean_days(self):
        return [self._days_by_id[pk] for pk in self.cleaned_data.get("days", [])]

    def clean(self):
        data = super().clean()
        days = data.get("days") or []
        person = data.get("spokesperson")
        kind = data.get("kind")
        if days and "days" not in self._errors:
            owners = sorted({day.person.title for day in days})
            if kind and kind != ContactRequest.Kind.ALMEDALEN:
                self.add_error(
                    "days",
                    _(
                        "Dagar kan bara väljas för ett möte i Almedalen. Välj ”Möte i "
                        "Almedalen” eller ta bort dagarna."
                    ),
                )
            elif person is None and "spokesperson" not in self._errors:
                self.add_error(
                    "days",
                    _("Dagarna hör till %(names)s. Välj talesperson eller ta bort dagarna.")
                    % {"names": ", ".join(owners)},
                )
            elif person is not None and any(day.person_id != person.pk for day in days):
                self.add_error(
                    "days",
                    _("Välj bara dagar då %(name)s är på plats. Du har valt dagar för %(names)s.")
                    % {"name": person.title, "names": ", ".join(owners)},
                )
        self._check_spam(data)
        return data

    def _check_spam(self, data):
        self.token_state = antispam.check_token(self.data.get(self.add_prefix("ts"), ""))
        if data.get("website"):
            self.spam_reason = ContactRequest.SpamReason.HONEYPOT
        elif self.token_state == antispam.FILL_TAMPERED:
            self.spam_reason = ContactRequest.SpamReason.TAMPERED
        elif self.token_state == antispam.FILL_TOO_FAST:
            self.spam_reason = ContactRequest.SpamReason.TOO_FAST
        elif self.token_state == antispam.FILL_EXPIRED:
            raise forms.ValidationError(
                _("Formuläret har varit öppet länge. Kontrollera uppgifterna och skicka igen."),
                code="expired",
            )

    def build_request(self, page=None):
        """An unsaved ContactRequest from the cleaned data."""
        data = self.cleaned_data
        person = data.get("spokesperson")
        topic = data.get("topic")
        return ContactRequest(
            contact_page=page,
            name=data["name"],
            email=data["email"],
            organisation=data["organisation"],
            phone=data.get("phone", ""),
            kind=data["kind"],
            spokesperson=person,
            spokesperson_name=single_line(person.title)[:255] if person else "",
            topic=topic,
            topic_name=single_line(topic.name)[:100] if topic else "",
            preferred_days=sorted({day.day.isoformat() for day in data.get("days") or []}),
            message=data["message"],
            consent_at=timezone.now(),
        )
