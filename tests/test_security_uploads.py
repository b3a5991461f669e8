"""Uploads: images limited in size and pixels, no SVG; documents always downloaded.

Uploads go through the admin as a moderator, as an editor would do it; a bad file gets a
clear form error (HTTP 200 with the form), never a 500.
"""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

IMAGE_ADD_URL = "/admin/images/add/"
DOCUMENT_ADD_URL = "/admin/documents/add/"


def png_bytes(width=40, height=30, mode="RGB"):
    buffer = BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def _post_image(client, name, content, content_type="image/png"):
    from wagtail.models import Collection

    return client.post(
        IMAGE_ADD_URL,
        {
            "title": "Testbild",
            "collection": Collection.get_first_root_node().id,
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def _file_errors(response):
    assert response.status_code == 200
    return " ".join(str(error) for error in response.context["form"].errors.get("file", []))


def test_settings_limit_uploads():
    from django.conf import settings

    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 40_000_000
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    assert settings.WAGTAILDOCS_INLINE_CONTENT_TYPES == []


def test_a_normal_image_is_accepted(moderator_client):
    from wagtail.images.models import Image as WagtailImage

    response = _post_image(moderator_client, "bild.png", png_bytes())
    assert response.status_code == 302
    assert WagtailImage.objects.filter(title="Testbild").count() == 1


def test_oversized_image_is_refused_with_a_form_error(moderator_client):
    from wagtail.images.models import Image as WagtailImage

    # A valid PNG padded past the 10 MB limit.
    content = png_bytes() + b"\0" * (10 * 1024 * 1024)
    errors = _file_errors(_post_image(moderator_client, "stor.png", content))
    assert "10" in errors and "MB" in errors
    assert not WagtailImage.objects.exists()


def test_image_with_too_many_pixels_is_refused(moderator_client):
    from wagtail.images.models import Image as WagtailImage

    # 8000 × 6000 = 48 million pixels, a small file (one bit per pixel, one colour).
    content = png_bytes(8000, 6000, mode="1")
    assert len(content) < 1024 * 1024
    errors = _file_errors(_post_image(moderator_client, "manga-pixlar.png", content))
    assert errors
    assert not WagtailImage.objects.exists()


def test_svg_is_refused(moderator_client):
    from wagtail.images.models import Image as WagtailImage

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>"
    )
    errors = _file_errors(_post_image(moderator_client, "bild.svg", svg, "image/svg+xml"))
    assert errors
    assert not WagtailImage.objects.exists()


def test_oversized_document_is_refused(moderator_client):
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    response = moderator_client.post(
        DOCUMENT_ADD_URL,
        {
            "title": "Stort dokument",
            "collection": Collection.get_first_root_node().id,
            "file": SimpleUploadedFile("stort.txt", b"a" * (20 * 1024 * 1024 + 1)),
        },
    )
    assert _file_errors(response)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content"),
    [("protokoll.pdf", b"%PDF-1.4\n%%EOF\n"), ("lista.txt", b"<script>alert(1)</script>")],
)
def test_documents_are_served_as_downloads(client, db, settings, tmp_path, filename, content):
    from wagtail.documents.models import Document

    # Files on disk, as on a single server (the test settings keep files in memory, which
    # Wagtail's file-sending view cannot read).
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

    document = Document(title="Dokument")
    document.file.save(filename, ContentFile(content), save=False)
    document.save()

    response = client.get(document.url)
    assert document.url == f"/documents/{document.id}/{document.filename}"
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
