"""Write parsed seed records as Wagtail pages and snippets.

This is the second step of the seed import; ``seeds.parser`` is the first (text in,
records out). The rules of this step:

1. **One transaction.** The whole run is atomic: any error rolls everything back. On
   PostgreSQL an advisory lock makes two concurrent runs take turns, so they never
   create the same page twice.
2. **Identity by place and slug.** An imported page is found again by its parent (the
   section index page) and its slug. A page with that slug that the import did not
   create is never touched; the report names it.
3. **Idempotent.** Each page remembers a fingerprint of what the import wrote. If the
   records have not changed, the page is left alone and reported as unchanged.
4. **Editors' work wins.** Each page remembers the revision the import published. If the
   page's latest revision is another one, an editor has changed it since, and the import
   leaves it alone and says so.
5. **Snippets by name.** Topics, categories and organisations are matched by name,
   regardless of case, and created when missing.
6. **People before events before posts**, so events can name people and posts can name
   their authors and event. An author or participant who has no person page of their
   own is a board member only if the text gives them an FSS role; others stay plain
   names.
7. **Text is text.** Imported text is escaped before it becomes rich text, so HTML in a
   seed can never run in a visitor's browser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.rich_text import RichText

from blog.models import BlogPage, BlogPageAuthor, Category
from events.models import AttendanceDay, EventPage, EventParticipant, Organisation
from fss_site.models import Topic
from fss_site.site_tree import ensure_site_tree
from people.models import PersonPage, PersonRole

from .parser import Block, EventRecord, ParseResult, PersonRecord, PostRecord, RoleRecord

ADVISORY_LOCK_KEY = 0x5EED5  # any constant shared by all import runs


@dataclass
class ImportReport:
    """What a run did, in the words editors read."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_editor_changes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    snippets_created: list[str] = field(default_factory=list)
    editorial_facts: list[str] = field(default_factory=list)
    needs_editor: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.snippets_created)

    def render(self) -> str:
        lines = []
        if self.dry_run:
            lines.append(_("Provkörning: ingenting sparades."))
        sections = [
            (_("Skapade"), self.created),
            (_("Uppdaterade"), self.updated),
            (_("Oförändrade"), self.unchanged),
            (_("Ändrade av redaktör sedan importen (lämnades orörda)"), self.kept_editor_changes),
            (_("Krockar med sidor som inte importerats (lämnades orörda)"), self.conflicts),
            (_("Nya ämnen, kategorier och organisationer"), self.snippets_created),
            (_("Fakta från redaktionsfilen"), self.editorial_facts),
            (_("Behöver en redaktör"), self.needs_editor),
        ]
        for heading, items in sections:
            lines.append(f"{heading}: {len(items)}")
            lines.extend(f"  - {item}" for item in items)
        if not self.changed_anything:
            lines.append(_("Inget ändrades: allt var redan importerat."))
        return "\n".join(lines)


class _DryRunRollback(Exception):
    pass


def import_result(result: ParseResult, *, dry_run: bool = False) -> ImportReport:
    """Write the records in one transaction; with ``dry_run`` roll everything back."""
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _take_lock()
            _Writer(result, report).run()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _take_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _fingerprint(data: dict) -> str:
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _aware(day: dt.date | dt.datetime, *, end: bool = False) -> dt.datetime:
    if isinstance(day, dt.datetime):
        value = day
    else:
        value = dt.datetime.combine(day, dt.time(23, 59, 59) if end else dt.time(0, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# Swedish words for FSS roles; a general vocabulary, nothing from the seed texts.
ROLE_WORDS = [
    ("vice ordförande", PersonRole.VICE_CHAIR),
    ("regionansvarig", PersonRole.REGIONAL_LEAD),
    ("ledamot", PersonRole.BOARD_MEMBER),
    ("ordförande", PersonRole.CHAIR),
]


def role_kind(role: RoleRecord) -> str:
    """Map a printed FSS role to a role kind; a chair of a region is a regional chair."""
    text = role.title.lower()
    for word, kind in ROLE_WORDS:
        if word in text:
            if kind == PersonRole.CHAIR and role.region:
                return PersonRole.REGIONAL_CHAIR
            return kind
    return PersonRole.OTHER


def _role_label(role: RoleRecord) -> str:
    label = role.printed or role.title
    return label[:1].upper() + label[1:] if label else ""


class _Writer:
    def __init__(self, result: ParseResult, report: ImportReport):
        self.result = result
        self.report = report
        self.tree = None
        self.people: dict[str, PersonPage] = {}
        self.events: dict[str, EventPage] = {}

    def run(self) -> None:
        self.tree, _created = ensure_site_tree()
        self.report.editorial_facts.extend(self.result.editorial_facts)
        self.report.needs_editor.extend(self.result.needs_editor)
        for person in self.result.people:
            self.people[person.name.casefold()] = self.write_person(person)
        for event in self.result.events:
            page = self.write_event(event)
            if page is not None:
                self.events[event.post_title.casefold()] = page
        for post in self.result.posts:
            self.write_post(post)

    # -- snippets ---------------------------------------------------------------

    def _snippet(self, model, name: str, label: str):
        name = " ".join(name.split())
        existing = model.find(name)
        if existing:
            return existing
        obj = model(name=name)
        if hasattr(obj, "slug"):
            obj.slug = self._free_slug(model, slugify(name)[:90] or "x")
        obj.save()
        self.report.snippets_created.append(f"{label}: {name}")
        return obj

    @staticmethod
    def _free_slug(model, base: str) -> str:
        slug, n = base, 2
        while model.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def topic(self, name: str) -> Topic:
        return self._snippet(Topic, name, _("ämne"))

    # -- pages ------------------------------------------------------------------

    def _write_page(self, model, parent, slug: str, label: str, data: dict, apply) -> tuple:
        """Create or update one page by the rules in the module docstring.

        ``apply(page)`` sets the fields and child objects from the records. Returns the
        page (or None when a conflicting page blocks the slug) and whether it was written.
        """
        fingerprint = _fingerprint(data)
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page is None and parent.get_children().filter(slug=slug).exists():
            self.report.conflicts.append(f"{label} ({slug})")
            return None, False
        if page is not None:
            if page.seed_revision_id is None:
                self.report.conflicts.append(f"{label} ({slug})")
                return page, False
            if page.latest_revision_id != page.seed_revision_id:
                self.report.kept_editor_changes.append(label)
                return page, False
            if page.seed_fingerprint == fingerprint:
                self.report.unchanged.append(label)
                return page, False
            apply(page)
            revision = page.save_revision()
            revision.publish()
            self.report.updated.append(label)
        else:
            page = model(slug=slug)
            apply(page)
            parent.add_child(instance=page)
            revision = page.save_revision()
            revision.publish()
            self.report.created.append(label)
        model.objects.filter(pk=page.pk).update(
            seed_fingerprint=fingerprint, seed_revision=revision
        )
        page.seed_fingerprint, page.seed_revision_id = fingerprint, revision.pk
        return page, True

    def write_person(self, record: PersonRecord) -> PersonPage | None:
        topics = [self.topic(name) for name in record.competence_areas]
        data = {
            "name": record.name,
            "job_title": record.job_title,
            "employer": record.employer,
            "roles": [(r.title, r.region, r.printed) for r in record.fss_roles],
            "topics": [t.pk for t in topics],
            "board": record.board_member,
            "spokesperson": record.spokesperson,
        }

        def apply(page: PersonPage) -> None:
            page.title = record.name
            page.job_title = record.job_title or ""
            page.employer = record.employer or ""
            page.is_board_member = record.board_member
            page.is_spokesperson = record.spokesperson
            page.seed_source = ", ".join(record.sources)[:255]
            page.topics = topics
            page.roles = [
                PersonRole(kind=role_kind(role), region=role.region or "", label=_role_label(role))
                for role in record.fss_roles
            ]

        label = _("Person: %s") % record.name
        page, _written = self._write_page(
            PersonPage, self.tree.people, slugify(record.name), label, data, apply
        )
        return page

    def _person(self, name: str) -> PersonPage | None:
        return self.people.get(name.casefold())

    def write_event(self, record: EventRecord) -> EventPage | None:
        label = _("Evenemang: %s") % record.title
        if record.start is None:
            self.report.needs_editor.append(
                _("%s saknar datum och importerades inte") % record.title
            )
            return None
        organisers = [self._snippet(Organisation, n, _("organisation")) for n in record.organisers]
        start = _aware(record.start)
        end = _aware(record.end or record.start, end=True) if record.all_day else None
        if record.end and not record.all_day:
            end = _aware(record.end)
        data = {
            "title": record.title,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
            "all_day": record.all_day,
            "location": record.location,
            "organisers": [o.pk for o in organisers],
            "participants": [(p.name, p.title_at_time, p.part) for p in record.participants],
            "attendance": [
                (a.name, [d.isoformat() for d in a.days], a.preliminary) for a in record.attendance
            ],
        }

        def apply(page: EventPage) -> None:
            page.title = record.title
            page.start = start
            page.end = end
            page.all_day = record.all_day
            page.city = record.location or ""
            page.organisers = organisers
            page.participants = [
                EventParticipant(
                    person=self._person(p.name),
                    name="" if self._person(p.name) else p.name,
                    title=p.title_at_time or "",
                    part=p.part,
                )
                for p in record.participants
            ]
            days = []
            for attendance in record.attendance:
                person = self._person(attendance.name)
                if person is None:
                    continue
                days.extend(
                    AttendanceDay(person=person, day=day, preliminary=attendance.preliminary)
                    for day in attendance.days
                )
            page.attendance_days = days

        slug = slugify(record.title)
        page, _written = self._write_page(EventPage, self.tree.events, slug, label, data, apply)
        return page

    def write_post(self, record: PostRecord) -> BlogPage | None:
        category = (
            self._snippet(Category, record.category, _("kategori")) if record.category else None
        )
        body = [_stream_block(block) for block in record.blocks]
        event = self.events.get(record.title.casefold())
        authors = []
        for byline in record.authors:
            person = self._person(byline.name)
            if person is None:
                self.report.needs_editor.append(
                    _("%(post)s: skribenten %(name)s har ingen personsida")
                    % {"post": record.title, "name": byline.name}
                )
                continue
            authors.append((person, byline.printed_title or ""))
        data = {
            "title": record.title,
            "date": record.date,
            "category": category.pk if category else None,
            "excerpt": record.excerpt,
            "authors": [(p.pk, b) for p, b in authors],
            "event": event.pk if event else None,
            "body": body,
        }

        def apply(page: BlogPage) -> None:
            page.title = record.title
            page.date = record.date
            page.category = category
            page.excerpt = record.excerpt or ""
            page.related_event = event
            page.seed_source = ", ".join(record.sources)[:255]
            page.body = [
                (kind, RichText(value) if kind == "paragraph" else value) for kind, value in body
            ]
            page.authors = [BlogPageAuthor(person=p, byline=b) for p, b in authors]

        label = _("Inlägg: %s") % record.title
        page, _written = self._write_page(
            BlogPage, self.tree.blog, record.slug_hint or slugify(record.title), label, data, apply
        )
        return page


def _stream_block(block: Block) -> tuple[str, object]:
    """One parsed block as a StreamField (type, value) pair; text is escaped."""
    if block.kind == "heading":
        return ("heading", {"text": block.text, "level": "h2"})
    if block.kind == "quote":
        return ("quote", {"text": block.text, "attribution": block.attribution or ""})
    if block.kind == "list":
        return ("bullet_list", {"items": list(block.items)})
    if block.kind == "caption":
        return ("caption", {"text": block.text, "credit": block.credit or ""})
    if block.kind in ("link", "video"):
        return (
            "attachment",
            {"title": block.title or block.text, "document": None, "url": block.url or ""},
        )
    return ("paragraph", f"<p>{escape(block.text)}</p>")
