"""blog 0009: a position's related posts and events, from many-to-many fields to ordered
links, with the saved revisions rewritten: a draft waiting for review keeps them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from blog.models import PositionPage, PositionRelatedEvent, PositionRelatedPost
from fss_site.site_tree import ensure_site_tree
from tests.public_content import make_event, make_post, publish

BEFORE = [("blog", "0008_search_text")]
AFTER = [("blog", "0009_position_related_links")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_related_posts_and_events_survive_the_migration_both_ways():
    tree, _ = ensure_site_tree()
    old = make_post(tree, "Äldre inlägg", "aldre", date=datetime.date(2021, 1, 1))
    new = make_post(tree, "Nyare inlägg", "nyare", date=datetime.date(2023, 1, 1))
    event = make_event(tree, "Seminarium", "seminarium", start=timezone.now())
    position = publish(
        tree.positions,
        PositionPage(
            title="Ståndpunkt",
            slug="standpunkt",
            statement="Kort.",
            related_post_links=[PositionRelatedPost(post=old)],
        ),
    )
    # A draft waiting for review points to both posts and the event.
    draft = PositionPage.objects.get(pk=position.pk)
    draft.related_post_links = [PositionRelatedPost(post=old), PositionRelatedPost(post=new)]
    draft.related_event_links = [PositionRelatedEvent(event=event)]
    revision = draft.save_revision()

    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT blogpage_id FROM blog_positionpage_related_posts "
                "WHERE positionpage_id = %s",
                [position.pk],
            )
            assert [row[0] for row in cursor.fetchall()] == [old.pk]
        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    live = PositionPage.objects.get(pk=position.pk)
    assert [link.post_id for link in live.related_post_links.all()] == [old.pk]
    revision.refresh_from_db()
    assert "related_posts" not in revision.content
    # Published as the moderator would: the draft's posts (newest first) and event.
    revision.publish()
    live = PositionPage.objects.get(pk=position.pk)
    assert [link.post_id for link in live.related_post_links.all()] == [new.pk, old.pk]
    assert [link.event_id for link in live.related_event_links.all()] == [event.pk]
