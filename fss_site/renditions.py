"""Image renditions made ahead of time, so no visitor waits while an image is resized.

The sizes come from the templates themselves: every ``{% image %}``, ``{% srcset_image %}``
and ``{% picture %}`` tag under the template directories is read once and its filter specs
collected (:func:`template_filter_specs`). When an image is saved, or a page that shows
images is published, a background task (django-tasks, which Wagtail uses) makes the
renditions for those specs; ``manage.py warm_renditions`` does the same for everything
already in the library. A rendition that exists is only looked up, never made again.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

from django.db import transaction
from django_tasks import task

logger = logging.getLogger("fss_site.renditions")

_IMAGE_TAG = re.compile(r"{%\s*(image|srcset_image|picture)\s+(.*?)\s*%}", re.DOTALL)
# The same in a Jinja2 template: image(photo, "fill-240x240-c100", ...).
_IMAGE_CALL = re.compile(r"\b(?:image|srcset_image|picture)\(\s*[^,()]+,\s*([\"'])([^\"']+)\1")


def _template_dirs() -> list[Path]:
    """The project's own template directories (not those of installed packages)."""
    from django.conf import settings
    from django.template import engines

    project = Path(settings.BASE_DIR).resolve()
    dirs: list[Path] = []
    for engine in engines.all():
        for directory in getattr(engine, "template_dirs", ()):
            path = Path(directory).resolve()
            if path.is_relative_to(project) and "site-packages" not in path.parts:
                dirs.append(path)
    return dirs


def specs_in_text(text: str) -> set[str]:
    """The filter specs used by the image tags in a template's source: Django's tags,
    and the calls of Jinja2 templates."""
    from wagtail.images.models import Filter

    specs: set[str] = set()
    for _tag, arguments in _IMAGE_TAG.findall(text):
        bits = arguments.split()[1:]  # the first is the image expression
        filters = []
        for bit in bits:
            if bit == "as":
                break
            if "=" in bit:  # an HTML attribute
                continue
            filters.append(bit)
        if filters:
            specs.update(Filter.expand_spec(filters))
    for _quote, spec in _IMAGE_CALL.findall(text):
        specs.update(Filter.expand_spec(spec))
    return specs


@functools.cache
def template_filter_specs() -> tuple[str, ...]:
    """Every filter spec the project's templates use, sorted."""
    specs: set[str] = set()
    for directory in _template_dirs():
        if not directory.is_dir():
            continue
        for path in directory.rglob("*.html"):
            try:
                specs |= specs_in_text(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
    return tuple(sorted(specs))


def make_renditions(image, specs=None) -> int:
    """Make the missing renditions of one image; how many were missing.

    Also puts them in the rendition cache, so the next page view finds them there.
    """
    specs = list(specs or template_filter_specs())
    if not specs:
        return 0
    from wagtail.images.models import Filter

    filters = [Filter(spec=spec) for spec in specs]
    existing = image.find_existing_renditions(*filters)
    image.get_renditions(*specs)
    return len(filters) - len(existing)


@task()
def make_renditions_task(image_ids: list[int]) -> int:
    """Background task: the renditions of these images. Bad files are logged and skipped."""
    from wagtail.images import get_image_model

    made = 0
    for image in get_image_model().objects.filter(pk__in=image_ids):
        try:
            made += make_renditions(image)
        except Exception:  # a broken or missing file must not stop the others
            logger.exception("Kunde inte göra bildversioner av bild %s", image.pk)
    return made


def enqueue(image_ids) -> None:
    """Make these images' renditions in the background once the transaction commits."""
    ids = sorted({int(pk) for pk in image_ids if pk})
    if not ids:
        return

    def _enqueue():
        try:
            make_renditions_task.enqueue(ids)
        except Exception:  # no task backend: the page view makes them instead
            logger.exception("Kunde inte köa bildversioner för %s", ids)

    transaction.on_commit(_enqueue)


def images_on_page(page) -> set[int]:
    """Ids of the images a page shows: image fields and images inside its StreamFields."""
    from wagtail.fields import StreamField
    from wagtail.images import get_image_model

    image_model = get_image_model()
    ids: set[int] = set()
    page = page.specific
    for field in page._meta.get_fields():
        if getattr(field, "many_to_one", False) and field.related_model is image_model:
            value = getattr(page, field.attname, None)
            if value:
                ids.add(value)
        elif isinstance(field, StreamField):
            value = getattr(page, field.name, None)
            if value is None:
                continue
            for model, object_id, _path, _content in field.stream_block.extract_references(value):
                if model is image_model and object_id:
                    ids.add(int(object_id))
    return ids


def _on_image_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.pk])


def _on_page_published(sender, instance, **kwargs):
    try:
        ids = images_on_page(instance)
    except Exception:  # never stand in the way of publishing
        logger.exception("Kunde inte läsa bilderna på sida %s", instance.pk)
        return
    enqueue(ids)


_connected = False


def connect_signals() -> None:
    """Make renditions when images are saved and pages published (idempotent)."""
    global _connected
    if _connected:
        return
    from django.db.models.signals import post_save
    from wagtail.images import get_image_model
    from wagtail.signals import page_published

    post_save.connect(_on_image_saved, sender=get_image_model(), dispatch_uid="fss-renditions")
    page_published.connect(_on_page_published, dispatch_uid="fss-renditions-page")
    _connected = True
