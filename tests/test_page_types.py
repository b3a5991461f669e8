"""Every page type: where it may live, that editors can create it, that it renders."""

import datetime
import re
from unittest import mock

from django.apps import apps
from django.db.models import DEFERRED, Model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from modelcluster.models import ClusterableModel
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from blog.models import BlogIndexPage, BlogPage, Category, PositionIndexPage, PositionPage
from events.models import EventIndexPage, EventPage
from fss_site.contact.models import ContactPage
from fss_site.listing import CachedRestrictionsMixin, LoadedPageMixin
from fss_site.models import HomePage, StandardPage, Topic
from fss_site.site_tree import ensure_site_tree
from people.models import PeopleIndexPage, PersonPage


class PageTreeTestCase(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree, _ = ensure_site_tree()
        cls.topic = Topic.objects.create(name="Äldreomsorg")
        cls.category = Category.objects.create(name="Första linjens socialtjänst")
        cls.person = PersonPage(title="Anna Testsson", slug="anna-testsson", job_title="Chef")
        cls.tree.people.add_child(instance=cls.person)
        cls.event = EventPage(
            title="Seminarium",
            slug="seminarium",
            start=timezone.make_aware(datetime.datetime(2030, 4, 21, 13, 0)),
        )
        cls.tree.events.add_child(instance=cls.event)
        cls.post = BlogPage(title="Ett inlägg", slug="ett-inlagg", date=datetime.date(2022, 10, 24))
        cls.tree.blog.add_child(instance=cls.post)
        cls.position = PositionPage(title="En ståndpunkt", slug="en", statement="Vi tycker så.")
        cls.tree.positions.add_child(instance=cls.position)

    def setUp(self):
        self.user = self.login()


class TestParentsAndChildren(PageTreeTestCase):
    def test_home_lives_at_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                BlogIndexPage,
                PositionIndexPage,
                PeopleIndexPage,
                EventIndexPage,
                ContactPage,
                StandardPage,
            },
        )

    def test_sections_live_under_home(self):
        for index_page in [
            BlogIndexPage,
            PositionIndexPage,
            PeopleIndexPage,
            EventIndexPage,
            ContactPage,
        ]:
            self.assertAllowedParentPageTypes(index_page, {HomePage})

    def test_each_index_holds_only_its_own_pages(self):
        self.assertAllowedSubpageTypes(BlogIndexPage, {BlogPage})
        self.assertAllowedSubpageTypes(PositionIndexPage, {PositionPage})
        self.assertAllowedSubpageTypes(PeopleIndexPage, {PersonPage})
        self.assertAllowedSubpageTypes(EventIndexPage, {EventPage})
        self.assertAllowedSubpageTypes(ContactPage, set())

    def test_leaf_pages_have_one_parent_and_no_children(self):
        for leaf, parent in [
            (BlogPage, BlogIndexPage),
            (PositionPage, PositionIndexPage),
            (PersonPage, PeopleIndexPage),
            (EventPage, EventIndexPage),
        ]:
            self.assertAllowedParentPageTypes(leaf, {parent})
            self.assertAllowedSubpageTypes(leaf, set())

    def test_standard_pages_nest(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertCanNotCreateAt(BlogIndexPage, StandardPage)

    def test_singletons_cannot_be_created_twice(self):
        for model in [
            BlogIndexPage,
            PositionIndexPage,
            PeopleIndexPage,
            EventIndexPage,
            ContactPage,
        ]:
            with self.subTest(model=model.__name__):
                self.assertFalse(model.can_create_at(self.tree.home))
        self.assertTrue(StandardPage.can_create_at(self.tree.home))
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))


class TestEditorsCanCreate(PageTreeTestCase):
    def test_blog_page(self):
        self.assertCanCreate(
            self.tree.blog,
            BlogPage,
            nested_form_data(
                {
                    "title": "Nytt inlägg",
                    "slug": "nytt-inlagg",
                    "date": "2024-05-01",
                    "category": self.category.pk,
                    "topics": [self.topic.pk],
                    "tags": "tillit, socialtjänstlag",
                    "excerpt": "Kort om inlägget.",
                    "authors": inline_formset(
                        [{"person": self.person.pk, "byline": "socialchef i Lund"}]
                    ),
                    "body": streamfield(
                        [
                            ("heading", {"text": "Tillitsbrist", "level": "h2"}),
                            ("paragraph", rich_text("<p>Ett stycke.</p>")),
                            ("quote", {"text": "Ett citat", "attribution": "Någon"}),
                            ("caption", {"text": "En bildtext", "credit": "Fotograf"}),
                            ("attachment", {"title": "Rapport", "document": "", "url": ""}),
                            (
                                "bullet_list",
                                {"items": streamfield([("item", "Ett"), ("item", "Två")])},
                            ),
                        ]
                    ),
                    "related_event": self.event.pk,
                }
            ),
        )
        post = BlogPage.objects.get(slug="nytt-inlagg")
        self.assertEqual(post.authors.get().byline, "socialchef i Lund")
        self.assertEqual([b.block_type for b in post.body][:2], ["heading", "paragraph"])
        self.assertEqual(sorted(post.tags.names()), ["socialtjänstlag", "tillit"])

    def _post_form(self, slug, *blocks, **action):
        return nested_form_data(
            {
                "title": "Ett inlägg",
                "slug": slug,
                "excerpt": "Kort.",
                "authors": inline_formset([]),
                "body": streamfield(list(blocks)),
                **action,
            }
        )

    def _publish_post(self, slug, *blocks):
        """Publish a blog post through the admin's create view; the response."""
        data = self._post_form(slug, *blocks, **{"action-publish": "publish"})
        url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", self.tree.blog.pk))
        return self.client.post(url, data)

    def test_a_level_3_heading_before_the_first_level_2_heading_is_refused(self):
        def post_body(slug, *headings):
            blocks = [("heading", {"text": text, "level": level}) for text, level in headings]
            return self._publish_post(slug, *blocks, ("paragraph", rich_text("<p>Ett stycke.</p>")))

        response = post_body("fel-ordning", ("Detaljer", "h3"), ("Översikt", "h2"))
        self.assertEqual(response.status_code, 200)
        (error,) = response.context["form"].errors["body"].as_data()
        self.assertEqual(list(error.block_errors), [0])  # the level-3 heading, not the h2
        self.assertIn(
            "En rubrik 3 kan inte komma före den första rubriken 2.",
            str(error.block_errors[0].block_errors["level"].messages),
        )
        self.assertFalse(BlogPage.objects.filter(slug="fel-ordning").exists())
        # Under a level-2 heading, a level-3 one is in order.
        response = post_body("ratt-ordning", ("Översikt", "h2"), ("Detaljer", "h3"))
        self.assertEqual(response.status_code, 302)
        post = BlogPage.objects.get(slug="ratt-ordning")
        self.assertEqual([b.value["level"] for b in post.body[:2]], ["h2", "h3"])

    def test_a_draft_keeps_its_headings_out_of_order_until_it_is_published(self):
        blocks = [
            ("heading", {"text": "Detaljer", "level": "h3"}),
            ("paragraph", rich_text("<p>Ett stycke.</p>")),
            ("heading", {"text": "Översikt", "level": "h2"}),
        ]
        add = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", self.tree.blog.pk))
        response = self.client.post(add, self._post_form("utkast-i-oordning", *blocks))
        self.assertEqual(response.status_code, 302)  # the draft is saved
        post = BlogPage.objects.get(slug="utkast-i-oordning")
        self.assertFalse(post.live)
        draft = post.get_latest_revision_as_object()
        self.assertEqual(
            [b.value["level"] for b in draft.body if b.block_type == "heading"], ["h3", "h2"]
        )
        # Publishing it, or sending it for review, is refused with the same message.
        edit = reverse("wagtailadmin_pages:edit", args=(post.pk,))
        for action in ({"action-publish": "publish"}, {"action-submit": "submit"}):
            response = self.client.post(
                edit, self._post_form("utkast-i-oordning", *blocks, **action)
            )
            self.assertEqual(response.status_code, 200, action)
            (error,) = response.context["form"].errors["body"].as_data()
            self.assertIn(
                "En rubrik 3 kan inte komma före den första rubriken 2.",
                str(error.block_errors[0].block_errors["level"].messages),
            )
        post.refresh_from_db()
        self.assertFalse(post.live)
        self.assertEqual(post.revisions.count(), 1)

    def test_a_post_may_not_take_the_address_of_a_blog_listing(self):
        # Every listing route's first part, and a year (the year archive), is refused.
        routes = {p.pattern.regex.pattern for p in BlogIndexPage.get_subpage_urls()}
        prefixes = {m.group(1) for r in routes if (m := re.match(r"\^([a-z]+)/", r))}
        self.assertEqual(prefixes, BlogIndexPage.ROUTE_SLUGS)
        self.assertIn(r"^(?P<year>\d{4})/$", routes)
        for slug in [*sorted(prefixes), "2024"]:
            response = self._publish_post(slug)
            self.assertEqual(response.status_code, 200, slug)
            self.assertIn("används av bloggens egna listor", str(response.context["form"].errors))
            self.assertFalse(BlogPage.objects.filter(slug=slug).exists(), slug)
        # A slug that only starts like one is fine.
        self.assertEqual(self._publish_post("2024-i-korthet").status_code, 302)
        self.assertEqual(self._publish_post("taggar").status_code, 302)

    def test_position_page(self):
        self.assertCanCreate(
            self.tree.positions,
            PositionPage,
            nested_form_data(
                {
                    "title": "Remissvar",
                    "slug": "remissvar",
                    "statement": "FSS stöder förslaget.",
                    "body": streamfield([]),
                    "topics": [self.topic.pk],
                    "status": "current",
                    "related_post_links": inline_formset([{"post": self.post.pk}]),
                    "related_event_links": inline_formset([]),
                    "referring_authority": "Socialdepartementet",
                    "reference_number": "S2023/01234",
                    "response_deadline": "2024-02-01",
                }
            ),
        )
        position = PositionPage.objects.get(slug="remissvar")
        self.assertTrue(position.is_consultation_response)
        self.assertEqual([link.post for link in position.related_post_links.all()], [self.post])

    def test_person_page(self):
        self.assertCanCreate(
            self.tree.people,
            PersonPage,
            nested_form_data(
                {
                    "title": "Bo Exempel",
                    "slug": "bo-exempel",
                    "job_title": "Socialdirektör",
                    "employer": "Exempelstads kommun",
                    "roles": inline_formset(
                        [{"kind": "regional_lead", "region": "Gävle/Dala", "label": ""}]
                    ),
                    "topics": [self.topic.pk],
                    "is_board_member": "on",
                    "is_spokesperson": "on",
                    "bio": rich_text("<p>Presentation.</p>"),
                }
            ),
        )
        person = PersonPage.objects.get(slug="bo-exempel")
        self.assertEqual(person.regions, ["Gävle/Dala"])

    def test_event_page(self):
        self.assertCanCreate(
            self.tree.events,
            EventPage,
            nested_form_data(
                {
                    "title": "Almedalen",
                    "slug": "almedalen",
                    "start": "2030-06-25 09:00",
                    "end": "2030-06-29 17:00",
                    "city": "Visby",
                    "description": streamfield([]),
                    "participants": inline_formset(
                        [
                            {
                                "person": "",
                                "name": "Extern Talare",
                                "title": "Forskare",
                                "part": "speaker",
                            }
                        ]
                    ),
                    "attendance_days": inline_formset(
                        [{"person": self.person.pk, "day": "2030-06-26", "preliminary": "on"}]
                    ),
                    "hearing_loop": "on",
                }
            ),
        )
        event = EventPage.objects.get(slug="almedalen")
        self.assertEqual(len(event.days), 5)
        self.assertTrue(event.attendance_days.get().preliminary)

    def test_standard_page(self):
        self.assertCanCreate(
            self.tree.home,
            StandardPage,
            nested_form_data(
                {"title": "Om oss", "slug": "om-oss", "introduction": "", "body": streamfield([])}
            ),
        )


class TestEditorForms(PageTreeTestCase):
    """What an editor sees in each page type's form."""

    FORMS = {
        BlogPage: "blog",
        PositionPage: "positions",
        EventPage: "events",
        PersonPage: "people",
    }

    def _add_form(self, model):
        parent = getattr(self.tree, self.FORMS[model])
        meta = model._meta
        url = f"/admin/pages/add/{meta.app_label}/{meta.model_name}/{parent.pk}/"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_help_texts_are_swedish(self):
        english = re.compile(r"\b(the|of|and|to|list|tags|is|for|with|this)\b", re.IGNORECASE)
        for model in self.FORMS:
            html = self._add_form(model)
            texts = re.findall(r'<div class="w-field__help"[^>]*>(.*?)</div>', html, re.S)
            self.assertTrue(texts, model)
            for text in texts:
                self.assertIsNone(english.search(strip_tags(text)), (model, text))

    def test_topics_are_ticked_and_related_pages_chosen(self):
        for model in self.FORMS:
            html = self._add_form(model)
            self.assertIn('type="checkbox" name="topics"', html, model)
        html = self._add_form(PositionPage)
        # No list of every post and event: the page chooser.
        self.assertNotIn(f'<option value="{self.post.pk}"', html)
        self.assertNotIn(f'<option value="{self.event.pk}"', html)
        self.assertIn("related_post_links-TOTAL_FORMS", html)
        self.assertIn("related_event_links-TOTAL_FORMS", html)

    # The add form of each page type, published, with the fields a test does not set.
    BLANK_FORMS = {
        BlogPage: {"excerpt": "", "body": streamfield([]), "authors": inline_formset([])},
        PositionPage: {
            "statement": "Kort.",
            "body": streamfield([]),
            "status": "current",
            "related_post_links": inline_formset([]),
            "related_event_links": inline_formset([]),
        },
        PersonPage: {"job_title": "", "employer": "", "bio": rich_text("")},
        EventPage: {
            "start": "2030-06-25 09:00",
            "end": "2030-06-29 17:00",
            "city": "Visby",
            "description": streamfield([]),
            "participants": inline_formset([]),
            "attendance_days": inline_formset([]),
        },
    }

    def _add(self, model, title, slug, **fields):
        """Post ``model``'s add form (publish) with ``fields`` over the blank ones."""
        parent = getattr(self.tree, self.FORMS[model])
        meta = model._meta
        data = {**self.BLANK_FORMS[model], "title": title, "slug": slug, **fields}
        data = nested_form_data({**data, "action-publish": "publish"})
        url = f"/admin/pages/add/{meta.app_label}/{meta.model_name}/{parent.pk}/"
        return self.client.post(url, data)

    def assertRefused(self, response, message, model, slug):  # noqa: N802 - unittest's style
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, response.content.decode())
        self.assertFalse(model.objects.filter(slug=slug).exists())

    def test_the_same_post_chosen_twice_is_refused_at_the_form(self):
        twice = inline_formset([{"post": self.post.pk}] * 2)
        response = self._add(PositionPage, "Dubbel", "dubbel", related_post_links=twice)
        self.assertRefused(response, "Korrigera duplikatvärdena nedan.", PositionPage, "dubbel")

    def test_the_same_author_chosen_twice_is_refused_at_the_second_row(self):
        def add(authors):
            return self._add(BlogPage, "Två", "tva", authors=inline_formset(authors))

        twice = [{"person": self.person.pk, "byline": ""}] * 2
        self.assertRefused(add(twice), "Personen är redan skribent för inlägget.", BlogPage, "tva")
        self.assertEqual(add([twice[0], {**twice[1], "DELETE": "on"}]).status_code, 302)
        post_page = BlogPage.objects.get(slug="tva")
        self.assertEqual([a.person_id for a in post_page.authors.all()], [self.person.pk])

    def test_a_regional_role_without_its_region_is_refused_at_the_row(self):
        def add(region):
            roles = inline_formset([{"kind": "regional_chair", "region": region}])
            return self._add(PersonPage, "Bo Exempel", "bo-exempel", roles=roles)

        message = "Skriv vilken region uppdraget gäller"
        self.assertRefused(add("  "), message, PersonPage, "bo-exempel")
        self.assertEqual(add("Skåne").status_code, 302)
        self.assertEqual(PersonPage.objects.get(slug="bo-exempel").regions, ["Skåne"])

    def test_positions_replacing_each_other_in_a_ring_are_refused(self):
        newer = PositionPage(
            title="Nyare",
            slug="nyare",
            statement="Nu tycker vi så.",
            status=PositionPage.SUPERSEDED,
            superseded_by=self.position,
        )
        self.tree.positions.add_child(instance=newer)
        newer.save_revision().publish()

        def replace_with(replacement):
            fields = {
                **self.BLANK_FORMS[PositionPage],
                "title": self.position.title,
                "slug": self.position.slug,
                "status": "superseded",
                "superseded_by": replacement.pk,
                "action-publish": "publish",
            }
            url = f"/admin/pages/{self.position.pk}/edit/"
            return self.client.post(url, nested_form_data(fields))

        response = replace_with(newer)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Den ståndpunkten är själv ersatt av den här", response.content.decode())
        self.position.refresh_from_db()
        self.assertEqual(self.position.status, PositionPage.CURRENT)

        newer.status, newer.superseded_by = PositionPage.CURRENT, None
        newer.save_revision().publish()
        self.assertEqual(replace_with(newer).status_code, 302)
        self.position.refresh_from_db()
        self.assertEqual(self.position.superseded_by_id, newer.pk)

    def _add_event(self, attendance=(), participants=(), **fields):
        return self._add(
            EventPage,
            "Almedalen 2030",
            "almedalen-2030",
            attendance_days=inline_formset(list(attendance)),
            participants=inline_formset(list(participants)),
            **fields,
        )

    def test_an_event_in_a_year_typed_wrong_or_longer_than_a_year_is_refused(self):
        # A day of the event as meant: the event's dates get the error, not the day.
        meant = [{"person": self.person.pk, "day": "2030-06-26"}]
        for start, end, message in [
            ("2030-06-25 09:00", "9999-12-31 17:00", "Kontrollera årtalet: 9999."),
            ("0203-06-25 09:00", "", "Kontrollera årtalet: 203."),
            ("2030-06-25 09:00", "2031-06-26 09:00", "Ett evenemang kan pågå i högst ett år."),
        ]:
            response = self._add_event(meant, start=start, end=end)
            self.assertRefused(response, message, EventPage, "almedalen-2030")
            self.assertNotIn("Dagen ligger utanför", response.content.decode())
        response = self._add_event(meant, start="2030-06-25 09:00", end="2031-06-25 17:00")
        self.assertEqual(response.status_code, 302)

    def test_a_post_or_position_dated_in_a_year_typed_wrong_is_refused_at_the_date(self):
        response = self._add(BlogPage, "Framtiden", "framtiden", date="3023-05-04")
        self.assertRefused(response, "Kontrollera årtalet: 3023.", BlogPage, "framtiden")
        response = self._add(PositionPage, "Gammal", "gammal", date_adopted="0023-05-04")
        self.assertRefused(response, "Kontrollera årtalet: 23.", PositionPage, "gammal")
        response = self._add(BlogPage, "Framtiden", "framtiden", date="2023-05-04")
        self.assertEqual(response.status_code, 302)

    def test_a_person_twice_in_the_same_part_is_refused_in_two_parts_taken(self):
        speaker = {"person": self.person.pk, "name": "", "title": "", "part": "speaker"}
        response = self._add_event(participants=[speaker, speaker])
        message = "Personen medverkar redan i den här rollen."
        self.assertRefused(response, message, EventPage, "almedalen-2030")
        response = self._add_event(participants=[speaker, {**speaker, "part": "moderator"}])
        self.assertEqual(response.status_code, 302)
        event = EventPage.objects.get(slug="almedalen-2030")
        self.assertEqual(event.participants.count(), 2)

    def test_an_attendance_day_outside_the_event_is_refused_at_its_row(self):
        # Last year's date, typed by habit: the event is 25–29 June 2030.
        response = self._add_event([{"person": self.person.pk, "day": "2029-06-26"}])
        message = "Dagen ligger utanför evenemanget (25 juni 2030–29 juni 2030)."
        self.assertRefused(response, message, EventPage, "almedalen-2030")

    def test_the_same_person_twice_on_a_day_is_refused_and_a_deleted_row_is_not_checked(self):
        row = {"person": self.person.pk, "day": "2030-06-26"}
        response = self._add_event([row, row])
        message = "Personen står redan på den här dagen i schemat."
        self.assertRefused(response, message, EventPage, "almedalen-2030")

        deleted = {"person": self.person.pk, "day": "2029-01-01", "DELETE": "on"}
        response = self._add_event([row, {**row, "DELETE": "on"}, deleted])
        self.assertEqual(response.status_code, 302)
        event = EventPage.objects.get(slug="almedalen-2030")
        self.assertEqual(
            [(a.person_id, a.day) for a in event.attendance_days.all()],
            [(self.person.pk, datetime.date(2030, 6, 26))],
        )


class TestRenderable(PageTreeTestCase):
    def test_every_page_renders(self):
        for page in [
            self.tree.home,
            self.tree.blog,
            self.tree.positions,
            self.tree.people,
            self.tree.events,
            self.tree.contact,
            self.tree.privacy,
            self.post,
            self.position,
            self.person,
            self.event,
        ]:
            with self.subTest(page=page.title):
                self.assertPageIsRenderable(page)


class LoadedPagesTestCase(PageTreeTestCase):
    """Pages read from the database skip the constructors that act only on new pages."""

    # Every constructor between a page class and Django's Model, and what it acts on: the
    # page and menu ones on a page without an id, modelcluster's on child relations passed
    # by name. A new one (a Wagtail or modelcluster upgrade) must be read before it is
    # added here: LoadedPageMixin skips it for rows from the database.
    KNOWN_CONSTRUCTORS = {
        "wagtail.models.pages.AbstractPage",
        "wagtail.models.pages.ShowInMenusMixin",
        "modelcluster.models.ClusterableModel",
    }

    def page_models(self):
        return [
            model
            for model in apps.get_models()
            if issubclass(model, Page)
            and model._meta.app_label in {"fss_site", "blog", "people", "events", "contact"}
        ]

    def test_every_page_type_has_the_mixin_and_only_known_constructors_behind_it(self):
        models = self.page_models()
        self.assertGreaterEqual(len(models), 11)
        for model in models:
            mro = model.__mro__
            self.assertIn(LoadedPageMixin, mro, model)
            # Without it Wagtail asks the database for view restrictions on every view.
            self.assertIn(CachedRestrictionsMixin, mro, model)
            skipped = {
                f"{cls.__module__}.{cls.__qualname__}"
                for cls in mro[mro.index(LoadedPageMixin) + 1 : mro.index(Model)]
                if "__init__" in vars(cls)
            }
            self.assertLessEqual(skipped, self.KNOWN_CONSTRUCTORS, model)

    def test_a_loaded_page_is_what_every_constructor_builds(self):
        for page in (self.post, self.person, self.event, self.position, self.tree.home):
            model = type(page)
            every = [f.attname for f in model._meta.concrete_fields]
            # A whole row, and the few columns a listing reads (the parent's id left out).
            few = [n for n in every if n in {"title", "url_path", model._meta.pk.attname}]
            for names in (every, few):
                values = model.objects.filter(pk=page.pk).values_list(*names).get()
                loaded = model.from_db("default", names, values)
                row = iter(values)
                built = model.__new__(model)
                super(LoadedPageMixin, built).__init__(
                    *[next(row) if n in names else DEFERRED for n in every]
                )
                # Wagtail's constructor reads the id, which fills it in from the parent
                # link when a listing did not select it; here the first read does so.
                with self.assertNumQueries(0):
                    self.assertEqual(loaded.id, page.pk)
                self.assertEqual(
                    {k: v for k, v in vars(loaded).items() if k != "_state"},
                    {k: v for k, v in vars(built).items() if k != "_state"},
                )
                self.assertEqual(loaded.pk, page.pk)
                self.assertEqual(loaded.title, page.title)
                self.assertFalse(loaded._state.adding)
                # The shortcut was taken: modelcluster's constructor was not run.
                with mock.patch.object(ClusterableModel, "__init__", side_effect=AssertionError):
                    model.from_db("default", names, values)
                    with self.assertRaises(AssertionError):
                        model(title="Ny", slug="ny")

    def test_a_new_page_still_gets_its_type_and_menu_default(self):
        post = BlogPage(title="Nytt", slug="nytt")
        self.assertEqual(post.content_type.model_class(), BlogPage)
        self.assertEqual(post.show_in_menus, BlogPage.show_in_menus_default)
        # A child relation passed by name goes to modelcluster's constructor.
        person = PersonPage(title="Bo", slug="bo", topics=[self.topic])
        self.assertEqual(list(person.topics.all()), [self.topic])
