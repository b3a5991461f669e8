"""iCalendar files of events: fields, time zone, stable UIDs, SEQUENCE, 404s, query counts."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

from events.models import EventPage, Organisation
from fss_site.models import Topic

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def add_event(tree, title, *, publish=True, topics=(), organisers=(), **fields):
    event = EventPage(title=title, slug=slugify(title), **fields)
    event.topics = list(topics)
    event.organisers = list(organisers)
    tree.events.add_child(instance=event)
    revision = event.save_revision()
    if publish:
        revision.publish()
    else:
        EventPage.objects.filter(pk=event.pk).update(live=False)
    event.refresh_from_db()
    return event


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar):
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Äldreomsorg")


@pytest.fixture
def seminar(site_tree, topic):
    return add_event(
        site_tree,
        "Seminarium om tillit",
        start=local(2030, 4, 21, 13, 0),
        end=local(2030, 4, 21, 15, 30),
        venue="Folkets hus",
        address="Storgatan 1",
        city="Lund",
        summary="Ett samtal om tillit i socialtjänsten.",
        description=[("paragraph", RichText("<p>Längre text.</p>"))],
        registration_url="https://example.org/anmalan",
        topics=[topic],
        organisers=[Organisation.objects.create(name="Vision")],
    )


def test_single_event_file_has_every_field(client, seminar):
    response = client.get(reverse("events:ical-event", kwargs={"page_id": seminar.pk}))
    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="seminarium-om-tillit.ics"'
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]

    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"event-{seminar.pk}@socialchefer.se"
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == "Seminarium om tillit"
    assert event.decoded("DTSTART") == local(2030, 4, 21, 13, 0)
    assert event.decoded("DTEND") == local(2030, 4, 21, 15, 30)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
    assert b"DTSTART;TZID=Europe/Stockholm:20300421T130000" in response.content
    assert event.decoded("DTSTAMP") == seminar.last_published_at.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == seminar.last_published_at.replace(microsecond=0)
    assert event["LOCATION"] == "Folkets hus, Storgatan 1, Lund"
    assert event["URL"] == seminar.get_full_url()
    assert event["URL"].startswith("http")
    description = str(event["DESCRIPTION"])
    assert description.startswith("Ett samtal om tillit i socialtjänsten.")
    assert "Vision" in description
    assert "https://example.org/anmalan" in description
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Äldreomsorg"]


def test_vtimezone_carries_stockholm_summer_and_winter_time(client, seminar):
    calendar = parse(client.get(reverse("events:ical-event", kwargs={"page_id": seminar.pk})))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Stockholm"
    assert len(vtimezone.walk("STANDARD")) == 1
    assert len(vtimezone.walk("DAYLIGHT")) == 1
    tz = vtimezone.to_tz()
    # Every hour around the switches, over years beyond any fixed list of dates.
    for year in (2025, 2031, 2044):
        for month, day in ((3, 20), (10, 20)):
            moment = datetime.datetime(year, month, day, tzinfo=datetime.UTC)
            for hour in range(0, 24 * 14):
                instant = moment + datetime.timedelta(hours=hour)
                assert (
                    instant.astimezone(tz).utcoffset() == instant.astimezone(STOCKHOLM).utcoffset()
                ), instant


def test_all_day_event_uses_dates_with_exclusive_end(client, site_tree):
    week = add_event(
        site_tree,
        "Almedalsveckan",
        start=local(2030, 6, 30, 0, 0),
        end=local(2030, 7, 3, 23, 0),
        all_day=True,
        city="Visby",
    )
    single = add_event(site_tree, "Heldag", start=local(2030, 9, 2, 9, 0), all_day=True)
    response = client.get(reverse("events:ical-feed"))
    events = vevents(parse(response))
    assert events["Almedalsveckan"].decoded("DTSTART") == datetime.date(2030, 6, 30)
    assert events["Almedalsveckan"].decoded("DTEND") == datetime.date(2030, 7, 4)
    assert events["Almedalsveckan"]["DTSTART"].params["VALUE"] == "DATE"
    assert b"DTSTART;VALUE=DATE:20300630" in response.content
    assert events["Heldag"].decoded("DTSTART") == datetime.date(2030, 9, 2)
    assert events["Heldag"].decoded("DTEND") == datetime.date(2030, 9, 3)
    assert events["Almedalsveckan"]["UID"] == f"event-{week.pk}@socialchefer.se"
    assert events["Heldag"]["UID"] == f"event-{single.pk}@socialchefer.se"


def test_an_event_a_calendar_cannot_hold_is_left_out_of_the_feed_not_the_feed(
    client, site_tree, seminar, caplog
):
    # Saved before the editor refused such dates (EventPage.clean): an all-day event to
    # the last day there is, whose exclusive end no date can hold.
    endless = add_event(
        site_tree, "Utan slut", start=local(2030, 6, 30, 0, 0), end=local(2030, 7, 1), all_day=True
    )
    EventPage.objects.filter(pk=endless.pk).update(end=local(9999, 12, 31, 12, 0))
    response = client.get(reverse("events:ical-feed"))
    assert set(vevents(parse(response))) == {"Seminarium om tillit"}
    assert f"Evenemanget {endless.pk} kunde inte skrivas i kalendern" in caplog.text
    # Alone, it is not answered with an empty calendar.
    response = client.get(reverse("events:ical-event", args=[endless.pk]))
    assert response.status_code == 400


def test_online_event_location_and_event_without_end(client, site_tree):
    add_event(
        site_tree,
        "Webbinarium",
        start=local(2030, 2, 1, 10, 0),
        online=True,
        online_url="https://example.org/sandning",
    )
    events = vevents(parse(client.get(reverse("events:ical-feed"))))
    webinar = events["Webbinarium"]
    assert webinar["LOCATION"] == "Digitalt"
    assert "https://example.org/sandning" in str(webinar["DESCRIPTION"])
    assert "DTEND" not in webinar


def test_long_lines_fold_at_75_octets_and_text_reads_back_exactly(client, site_tree):
    title = "Åtgärder; vård, omsorg \\ stöd – " + "äldreomsorg i Östra Göinge " * 8
    summary = "Första stycket.\nAndra raden; med semikolon, komma och \\ snedstreck. " * 6
    topic = Topic.objects.create(name="Vård, omsorg; stöd")
    event = add_event(
        site_tree,
        title.strip(),
        start=local(2030, 5, 6, 9, 0),
        end=local(2030, 5, 6, 12, 0),
        venue="Kulturhuset, sal 3",
        city="Åre",
        summary=summary.strip(),
        topics=[topic],
    )
    response = client.get(reverse("events:ical-event", kwargs={"page_id": event.pk}))
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode()  # never cut inside a character
    assert all(n.startswith(b" ") for n in response.content.split(b"\r\n")[1:] if n[:1] == b" ")
    (vevent,) = parse(response).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title.strip()
    assert str(vevent["DESCRIPTION"]).startswith(summary.strip())
    assert str(vevent["LOCATION"]) == "Kulturhuset, sal 3, Åre"
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["Vård, omsorg; stöd"]


def test_feeds_list_only_live_public_events(client, site_tree, seminar, topic):
    other = add_event(site_tree, "Annat evenemang", start=local(2030, 5, 1, 9, 0))
    private = add_event(site_tree, "Internt möte", start=local(2030, 5, 2, 9, 0), topics=[topic])
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    draft = add_event(site_tree, "Utkast", start=local(2030, 5, 3, 9, 0), publish=False)

    response = client.get(reverse("events:ical-feed"))
    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="kalendarium.ics"'
    assert str(calendar["X-WR-CALNAME"]).endswith("kalendarium")
    assert calendar.walk("VTIMEZONE")
    assert set(vevents(calendar)) == {"Seminarium om tillit", "Annat evenemang"}

    calendar = parse(client.get(reverse("events:ical-topic", kwargs={"slug": topic.slug})))
    assert set(vevents(calendar)) == {"Seminarium om tillit"}
    assert "Äldreomsorg" in str(calendar["X-WR-CALNAME"])

    assert client.get(reverse("events:ical-event", kwargs={"page_id": other.pk})).status_code == 200
    for page in (private, draft):
        url = reverse("events:ical-event", kwargs={"page_id": page.pk})
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/kalendarium/ical/999999.ics",
        "/kalendarium/ical/abc.ics",
        "/kalendarium/ical/-3.ics",
        "/kalendarium/ical/amne/finns-inte.ics",
        "/kalendarium/ical/amne/åäö.ics",
    ],
)
def test_bad_calendar_addresses_are_404(client, seminar, path):
    assert client.get(path).status_code == 404


def test_page_that_is_not_an_event_is_404(client, site_tree, seminar):
    url = reverse("events:ical-event", kwargs={"page_id": site_tree.about.pk})
    assert client.get(url).status_code == 404


def calendar_entry(client, event):
    calendar = parse(client.get(reverse("events:ical-event", kwargs={"page_id": event.pk})))
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def edit_and_publish(event, **changes):
    """Edit the latest revision the way the admin's edit view does, then publish."""
    page = EventPage.objects.get(pk=event.pk).get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def test_sequence_rises_only_when_time_place_or_title_changes(client, seminar):
    uid = f"event-{seminar.pk}@socialchefer.se"

    seminar = edit_and_publish(seminar, start=local(2030, 4, 21, 14, 0))
    assert seminar.ical_sequence == 1
    first = calendar_entry(client, seminar)
    assert first["SEQUENCE"] == 1
    assert first["UID"] == uid

    # Republishing without changes, or changing only the summary, keeps the sequence.
    seminar = edit_and_publish(seminar)
    assert seminar.ical_sequence == 1
    seminar = edit_and_publish(seminar, summary="En ny sammanfattning.")
    assert seminar.ical_sequence == 1

    # Each later change counts, even though older revisions carry older numbers.
    seminar = edit_and_publish(seminar, venue="Stadshuset")
    assert seminar.ical_sequence == 2
    seminar = edit_and_publish(seminar, title="Seminarium om tillit och mod")
    assert seminar.ical_sequence == 3
    seminar = edit_and_publish(seminar, end=None)
    assert seminar.ical_sequence == 4

    latest = calendar_entry(client, seminar)
    assert latest["SEQUENCE"] == 4
    assert latest["UID"] == uid
    assert latest["SUMMARY"] == "Seminarium om tillit och mod"


def test_publishing_an_older_revision_keeps_counting_up(client, seminar):
    original = EventPage.objects.get(pk=seminar.pk).live_revision
    seminar = edit_and_publish(seminar, start=local(2030, 4, 21, 14, 0))
    seminar = edit_and_publish(seminar, city="Malmö")
    assert seminar.ical_sequence == 2

    # Going back to the first version (its stored data says sequence 0) is a change too.
    original.publish()
    seminar = EventPage.objects.get(pk=seminar.pk)
    assert seminar.ical_sequence == 3
    entry = calendar_entry(client, seminar)
    assert entry["SEQUENCE"] == 3
    assert entry.decoded("DTSTART") == local(2030, 4, 21, 13, 0)
    assert entry["LOCATION"] == "Folkets hus, Storgatan 1, Lund"


def test_draft_changes_count_when_they_are_published(client, seminar):
    page = EventPage.objects.get(pk=seminar.pk).get_latest_revision_as_object()
    page.city = "Malmö"
    page.save_revision()  # saved, not published: subscribers see nothing yet
    assert EventPage.objects.get(pk=seminar.pk).ical_sequence == 0
    assert calendar_entry(client, seminar)["LOCATION"] == "Folkets hus, Storgatan 1, Lund"

    # Publishing the unchanged latest draft compares with what was published before.
    seminar = edit_and_publish(seminar)
    assert seminar.ical_sequence == 1
    assert calendar_entry(client, seminar)["LOCATION"] == "Folkets hus, Storgatan 1, Malmö"


def test_first_publish_starts_at_zero(site_tree):
    event = add_event(site_tree, "Nytt", start=local(2031, 1, 1, 10, 0))
    assert event.ical_sequence == 0


def test_calendar_query_count_does_not_grow_with_events(
    client, site_tree, seminar, topic, django_assert_max_num_queries
):
    urls = [reverse("events:ical-feed"), reverse("events:ical-topic", kwargs={"slug": topic.slug})]
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            parse(client.get(url))
        counts[url] = len(queries)

    vision = Organisation.objects.get(name="Vision")
    skr = Organisation.objects.create(name="SKR")
    extra_topic = Topic.objects.create(name="Barn och unga")
    for n in range(8):
        add_event(
            site_tree,
            f"Evenemang {n}",
            start=local(2030, 10, n + 1, 9, 0),
            end=local(2030, 10, n + 1, 12, 0),
            topics=[topic, extra_topic],
            organisers=[vision, skr],
        )
    for url in urls:
        client.get(url)  # the first view after a change finds the site again
        with django_assert_max_num_queries(counts[url]):
            calendar = parse(client.get(url))
        assert len(calendar.walk("VEVENT")) == 9
