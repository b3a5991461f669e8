"""Raise an event's calendar SEQUENCE when a published change moves or renames it.

Calendar programs keep the copy with the highest SEQUENCE for a UID. When an event is
published, its time, place and title are compared with the previously published
revision; if any differ, ``ical_sequence`` is raised by one with an F() update, so two
publishes at the same moment both count.
"""

from django.db.models import F
from wagtail.models import PageLogEntry, Revision
from wagtail.signals import page_published

from .models import EventPage

#: The fields whose change calendar subscribers must hear about.
TRACKED_FIELDS = (
    "title",
    "start",
    "end",
    "all_day",
    "venue",
    "address",
    "city",
    "online",
    "online_url",
)
PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


def previously_published_revision(page, revision):
    """The revision that was published before ``revision``, or None.

    The log entry for the publish in progress is written after ``page_published`` is
    sent, so the newest publish entry is the previous one. None when the page has not
    been published before, or when ``revision`` itself was the one last published.
    """
    entry = (
        PageLogEntry.objects.filter(page_id=page.pk, action__in=PUBLISH_ACTIONS)
        .exclude(revision_id__isnull=True)
        .order_by("-timestamp", "-pk")
        .only("revision_id")
        .first()
    )
    if entry is None or entry.revision_id == revision.pk:
        return None
    return Revision.objects.filter(pk=entry.revision_id).first()


def has_calendar_change(old, new) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in TRACKED_FIELDS)


def bump_ical_sequence(sender, instance, revision, **kwargs):
    previous = previously_published_revision(instance, revision)
    if previous is None:
        return
    if not has_calendar_change(previous.as_object(), instance):
        return
    pages = EventPage.objects.filter(pk=instance.pk)
    pages.update(ical_sequence=F("ical_sequence") + 1)
    instance.ical_sequence = pages.values_list("ical_sequence", flat=True).get()


def connect():
    page_published.connect(
        bump_ical_sequence, sender=EventPage, dispatch_uid="events.bump_ical_sequence"
    )
