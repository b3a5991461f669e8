"""iCalendar (.ics) files of events: one event, all events, and the events on a topic.

Times are given in Europe/Stockholm with a VTIMEZONE that carries the daylight saving
rules, so calendar programs show the right local time whatever their own zone. UIDs are
built from the page id and never change; SEQUENCE is ``EventPage.ical_sequence``, raised
whenever a published change moves the event in time or place or renames it (see
``events.signals``), so subscribers' calendars replace the old copy.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

import icalendar
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from wagtail.models import Site

from fss_site.listing import finds_site
from fss_site.machine import (
    UID_DOMAIN,
    absolute_url,
    first_paragraph_text,
    site_for_request,
    site_name,
    topic_path,
)
from fss_site.models import Topic

from .models import EventPage

logger = logging.getLogger(__name__)

TZID = "Europe/Stockholm"
STOCKHOLM = ZoneInfo(TZID)
PRODID = "-//Foreningen Sveriges socialchefer//Kalendarium//SV"
#: How often subscribed calendars are asked to look for changes.
REFRESH_INTERVAL = datetime.timedelta(hours=6)


def public_events(site: Site):
    """Live, public events of ``site`` in start order, with their topics and organisers
    (``calendar_topics``, ``calendar_organisers``) read along."""
    return (
        EventPage.objects.live()
        .public()
        .descendant_of(site.root_page)
        .filter(alias_of__isnull=True)
        # Plain lists on each event (to_attr): a related manager's queryset per event
        # would cost more than the event's whole VEVENT.
        .prefetch_related(
            Prefetch("topics", to_attr="calendar_topics"),
            Prefetch("organisers", to_attr="calendar_organisers"),
        )
        .order_by("start", "pk")
    )


def event_uid(event: EventPage) -> str:
    return f"event-{event.pk}@{UID_DOMAIN}"


def stockholm_timezone() -> icalendar.Timezone:
    """VTIMEZONE for Europe/Stockholm with the EU summer-time rules (since 1996).

    Summer time (CEST, UTC+2) begins at 02:00 on the last Sunday of March; standard
    time (CET, UTC+1) returns at 03:00 on the last Sunday of October.
    """
    vtimezone = icalendar.Timezone()
    vtimezone.add("tzid", TZID)
    vtimezone.add("x-lic-location", TZID)

    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", datetime.timedelta(hours=1))
    daylight.add("tzoffsetto", datetime.timedelta(hours=2))
    daylight.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})

    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", datetime.timedelta(hours=2))
    standard.add("tzoffsetto", datetime.timedelta(hours=1))
    standard.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})

    vtimezone.add_component(daylight)
    vtimezone.add_component(standard)
    return vtimezone


def event_location(event: EventPage) -> str:
    """Venue, address and city; "Digitalt" for an event that only takes place online."""
    parts = (event.venue, event.address, event.city)
    place = ", ".join(part.strip() for part in parts if part and part.strip())
    if place:
        return place
    return _("Digitalt") if event.online else ""


def event_description(event: EventPage, url: str) -> str:
    """The summary (or first paragraph), the organisers and the useful links."""
    parts = []
    summary = event.summary.strip() or first_paragraph_text(event.description)
    if summary:
        parts.append(summary)
    organisers = [organisation.name for organisation in event.calendar_organisers]
    if organisers:
        parts.append(_("Arrangör: %(names)s") % {"names": ", ".join(organisers)})
    if event.online and event.online_url:
        parts.append(_("Digital sändning: %(url)s") % {"url": event.online_url})
    if event.registration_url:
        parts.append(_("Anmälan: %(url)s") % {"url": event.registration_url})
    parts.append(_("Mer information: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def event_times(event: EventPage):
    """DTSTART and DTEND values: dates for all-day events (end exclusive), else local times.

    A timed event without an end time gets no DTEND.
    """
    if event.all_day:
        return event.first_day, event.last_day + datetime.timedelta(days=1)
    start = timezone.localtime(event.start, STOCKHOLM)
    end = timezone.localtime(event.end, STOCKHOLM) if event.end else None
    return start, end


# -- VEVENTs, written as text ---------------------------------------------------------
#
# The icalendar library took about a millisecond per event (its property objects and
# line folding): over a second for the calendar of all events. The VEVENTs are written
# here instead, by the rules of RFC 5545 that they need; the calendar around them (and
# its VTIMEZONE) is still the library's. Tests read every file back with the library.

CRLF = b"\r\n"
LINE_OCTETS = 75


def ical_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line
    breaks as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def content_line(line: str) -> bytes:
    """One content line, folded (RFC 5545 3.1): at most 75 octets a line, each further
    line starting with a space, never inside a UTF-8 character."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return data + CRLF
    chunks = []
    start, size = 0, LINE_OCTETS
    while start < len(data):
        end = min(start + size, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        chunks.append(data[start:end])
        start, size = end, LINE_OCTETS - 1
    return b"\r\n ".join(chunks) + CRLF


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value) -> str:
    if isinstance(value, datetime.datetime):
        return f"{name};TZID={TZID}:{value.strftime('%Y%m%dT%H%M%S')}"
    return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"


def vevent(event: EventPage, url: str) -> bytes:
    """The event as a VEVENT, folded and ready for the calendar."""
    changed = event.last_published_at or event.latest_revision_created_at or timezone.now()
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{ical_text(event.title)}",
    ]
    start, end = event_times(event)
    lines.append(_when("DTSTART", start))
    if end is not None:
        lines.append(_when("DTEND", end))
    lines += [f"DTSTAMP:{_utc(changed)}", f"UID:{ical_text(event_uid(event))}"]
    lines.append(f"SEQUENCE:{int(event.ical_sequence)}")
    topics = [topic.name for topic in event.calendar_topics]
    if topics:
        lines.append("CATEGORIES:" + ",".join(ical_text(name) for name in topics))
    if event.first_published_at:
        lines.append(f"CREATED:{_utc(event.first_published_at)}")
    lines.append(f"DESCRIPTION:{ical_text(event_description(event, url))}")
    lines.append(f"LAST-MODIFIED:{_utc(changed)}")
    location = event_location(event)
    if location:
        lines.append(f"LOCATION:{ical_text(location)}")
    lines += [f"URL:{url}", "END:VEVENT"]
    return b"".join(content_line(line) for line in lines)


def build_calendar(
    events, request, *, name: str = "", description: str = "", leave_out_unwritable=True
) -> bytes:
    """A VCALENDAR with the Stockholm VTIMEZONE and one VEVENT per event.

    An event that cannot be written (dates a calendar cannot hold, saved before the editor
    refused them) is left out and logged, so that the subscribers of a calendar of many
    events keep the others; with ``leave_out_unwritable=False`` its error is the answer.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.calendar_name = name
        calendar.add("x-wr-timezone", TZID)
        calendar.refresh_interval = REFRESH_INTERVAL
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    if description:
        calendar.description = description
    calendar.add_component(stockholm_timezone())
    frame = calendar.to_ical()
    end = b"END:VCALENDAR" + CRLF
    if not frame.endswith(end):  # pragma: no cover - the library's own format
        raise ValueError("unexpected end of the calendar")
    parts = [frame[: -len(end)]]
    parts += _vevents(events, request, leave_out_unwritable)
    parts.append(end)
    return b"".join(parts)


def _vevents(events, request, leave_out_unwritable: bool):
    for event in events:
        try:
            yield vevent(event, event.get_full_url(request))
        except (OverflowError, ValueError) as error:
            if not leave_out_unwritable:
                raise
            logger.error("Evenemanget %s kunde inte skrivas i kalendern: %s", event.pk, error)


def calendar_response(calendar: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# -- views ----------------------------------------------------------------------------


@finds_site
def event_ics(request, page_id: int):
    """One event, for "Lägg till i kalendern"."""
    site = site_for_request(request)
    event = get_object_or_404(public_events(site), pk=page_id)
    calendar = build_calendar([event], request, leave_out_unwritable=False)
    return calendar_response(calendar, f"{event.slug}.ics")


@finds_site
def all_events_ics(request):
    """Every event, for subscribing."""
    site = site_for_request(request)
    name = _("%(site)s – kalendarium") % {"site": site_name(site)}
    calendar = build_calendar(
        public_events(site),
        request,
        name=name,
        description=_("Seminarier, konferenser och andra evenemang med %(site)s.")
        % {"site": site_name(site)},
    )
    return calendar_response(calendar, "kalendarium.ics")


@finds_site
def topic_events_ics(request, slug: str):
    """The events on one topic, for subscribing."""
    site = site_for_request(request)
    topic = get_object_or_404(Topic, slug=slug)
    calendar = build_calendar(
        public_events(site).filter(topics=topic),
        request,
        name=_("%(site)s – kalendarium: %(topic)s")
        % {"site": site_name(site), "topic": topic.name},
        description=_("Evenemang om %(topic)s. Mer om ämnet: %(url)s")
        % {"topic": topic.name, "url": absolute_url(site, topic_path(topic.slug))},
    )
    return calendar_response(calendar, f"kalendarium-{topic.slug}.ics")
