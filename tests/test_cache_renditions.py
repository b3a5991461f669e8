"""Image renditions are made when an image is saved or a page published, not on a page view."""

import json
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image, Rendition
from wagtail.images.tests.utils import get_test_image_file

from blog.models import BlogPage
from fss_site import renditions
from fss_site.site_tree import ensure_site_tree
from people.models import PersonPage


@pytest.fixture(autouse=True)
def connected():
    renditions.connect_signals()
    # Wagtail caches renditions by image id and file hash; ids repeat between tests.
    caches["default"].clear()
    yield
    caches["default"].clear()


def make_image(title="Bild", size=(640, 480)):
    return Image.objects.create(title=title, file=get_test_image_file(size=size))


def test_the_specs_come_from_the_templates():
    specs = renditions.template_filter_specs()
    # person_card.html, person_page.html and blocks/image_block.html
    assert {"fill-240x240-c100", "fill-320x320-c100", "width-800"} <= set(specs)
    # Wagtail's own admin templates are not the site's business.
    assert "max-165x165" not in specs


def test_specs_are_read_like_the_image_tags_read_them():
    source = (
        "{% image page.photo fill-100x100 format-webp as img %}"
        '{% image page.photo width-300 class="x" %}'
        '{% picture page.photo format-{avif,jpeg} width-{400,800} sizes="80vw" %}'
        "{% srcset_image page.photo width-{200,400} %}"
    )
    assert renditions.specs_in_text(source) == {
        "fill-100x100|format-webp",
        "width-300",
        "format-avif|width-400",
        "format-avif|width-800",
        "format-jpeg|width-400",
        "format-jpeg|width-800",
        "width-200",
        "width-400",
    }


def test_specs_are_read_from_the_calls_of_jinja2_templates():
    source = (
        '{% set photo = image(person.photo, "fill-240x240-c100") %}'
        "{{ srcset_image(page.photo, 'width-{200,400}', sizes=\"50vw\") }}"
        '{{ image(page.photo, "fill-80x80|format-webp") }}'
    )
    assert renditions.specs_in_text(source) == {
        "fill-240x240-c100",
        "width-200",
        "width-400",
        "fill-80x80|format-webp",
    }


def test_saving_an_image_makes_every_rendition(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = make_image()
    made = set(Rendition.objects.filter(image=image).values_list("filter_spec", flat=True))
    assert made == set(renditions.template_filter_specs())


def test_publishing_a_page_makes_the_renditions_of_its_images(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tree, _ = ensure_site_tree()
    with django_capture_on_commit_callbacks(execute=False):
        photo, body_image = make_image("Porträtt"), make_image("I texten")
    assert not Rendition.objects.exists()
    body = json.dumps([{"type": "image", "value": {"image": body_image.pk, "alt_text": "En bild"}}])
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonPage(title="Anna Andersson", slug="anna", photo=photo)
        tree.people.add_child(instance=person)
        person.save_revision().publish()
        post = BlogPage(title="Med bild", slug="med-bild", body=body)
        tree.blog.add_child(instance=post)
        post.save_revision().publish()
    for image in (photo, body_image):
        assert Rendition.objects.filter(image=image, filter_spec="width-800").exists()
        assert Rendition.objects.filter(image=image, filter_spec="fill-240x240-c100").exists()
    assert renditions.images_on_page(post) == {body_image.pk}
    assert renditions.images_on_page(person) == {photo.pk}


def test_a_page_view_after_publishing_makes_no_rendition(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tree, _ = ensure_site_tree()
        person = PersonPage(
            title="Anna Andersson", slug="anna", photo=make_image(), is_spokesperson=True
        )
        tree.people.add_child(instance=person)
        person.save_revision().publish()
    count = Rendition.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/talespersoner/anna/").status_code == 200
        assert client.get("/talespersoner/").status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "rendition" in q["sql"].lower()]
    assert not [sql for sql in writes if sql.lstrip().upper().startswith("INSERT")]
    assert Rendition.objects.count() == count


def test_warm_renditions_makes_what_is_missing_and_only_that(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        images = [make_image(f"Bild {n}") for n in range(3)]
    assert not Rendition.objects.exists()
    out = StringIO()
    call_command("warm_renditions", stdout=out)
    specs = renditions.template_filter_specs()
    assert Rendition.objects.count() == len(images) * len(specs)
    assert f": {len(images) * len(specs)} nya bildversioner" in out.getvalue()
    again = StringIO()
    call_command("warm_renditions", "--spec", "width-100", stdout=again)
    assert f": {len(images)} nya bildversioner" in again.getvalue()


def test_warm_renditions_refuses_bad_input(db):
    with pytest.raises(CommandError, match="Ogiltig filterspecifikation"):
        call_command("warm_renditions", "--spec", "width-abc", stdout=StringIO())
    with pytest.raises(CommandError, match="finns inte"):
        call_command("warm_renditions", "--image", "987654", stdout=StringIO())
