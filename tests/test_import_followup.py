"""The editors' follow-up of the import in the admin: the imported posts whose date the
texts do not give (seeds/views.py), in a report and on the dashboard, until each has one."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from blog.models import BlogPage
from tests.public_content import make_post

pytestmark = pytest.mark.django_db

MISSING_DATE = re.compile(r"^  - (.+): publiceringsdatum saknas$", re.MULTILINE)


@pytest.fixture
def report():
    out = StringIO()
    call_command("import_seeds", stdout=out)
    return out.getvalue()


def _title(quoted):
    return quoted.strip("”’").replace("&", "&amp;")


def test_the_posts_the_import_report_left_without_a_date_are_listed(client, editor, report):
    missing = [_title(quoted) for quoted in MISSING_DATE.findall(report)]
    assert len(missing) >= 2
    client.force_login(editor)

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Att komplettera efter importen" in home
    assert f"{len(missing)} importerade inlägg saknar publiceringsdatum" in home

    listed = client.get(reverse("undated_imported_posts")).content.decode()
    for title in missing:
        assert title in listed
    dated = BlogPage.objects.exclude(date=None).exclude(seed_source="").first()
    assert dated.title not in listed


def test_a_post_leaves_the_list_when_it_gets_a_date(client, editor, report, site_tree):
    make_post(site_tree, "Skrivet i redaktionen", "skrivet-i-redaktionen")  # not imported
    client.force_login(editor)
    listed = client.get(reverse("undated_imported_posts")).content.decode()
    assert "Skrivet i redaktionen" not in listed

    undated = list(BlogPage.objects.filter(date=None).exclude(seed_source="").order_by("pk"))
    first, rest = undated[0], undated[1:]
    assert first.title in listed
    first.date = datetime.date(2023, 2, 14)
    first.save_revision().publish()
    listed = client.get(reverse("undated_imported_posts")).content.decode()
    assert first.title not in listed
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"{len(rest)} importerade inlägg saknar publiceringsdatum" in home

    for post in rest:
        post.date = datetime.date(2023, 2, 14)
        post.save_revision().publish()
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Att komplettera efter importen" not in home
