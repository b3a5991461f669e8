"""A position's related posts and events: from many-to-many fields to ordered links.

The editor chose them from a list of every post and event; now with the page chooser, in
an order of their own. The links keep the order the position page showed them in (posts
newest first, events latest first). Saved revisions are rewritten the same way, so that a
draft waiting for review, or an older revision an editor restores, keeps its related
posts and events instead of losing them when it is published.
"""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models
from django.db.models import F

POSTS_FIRST = (F("listing_date").desc(nulls_last=True), "-pk")
EVENTS_FIRST = ("-start", "-pk")


def _ordered(model, ids, order):
    return list(model.objects.filter(pk__in=ids).order_by(*order).values_list("pk", flat=True))


def _revisions(apps):
    content_type = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="blog", model="positionpage"
    )
    revision = apps.get_model("wagtailcore", "Revision")
    return revision.objects.filter(content_type__in=content_type)


def to_links(apps, schema_editor):
    position_model = apps.get_model("blog", "PositionPage")
    post_model = apps.get_model("blog", "BlogPage")
    event_model = apps.get_model("events", "EventPage")
    post_link = apps.get_model("blog", "PositionRelatedPost")
    event_link = apps.get_model("blog", "PositionRelatedEvent")
    for position in position_model.objects.all():
        post_ids = _ordered(post_model, position.related_posts.values("pk"), POSTS_FIRST)
        event_ids = _ordered(event_model, position.related_events.values("pk"), EVENTS_FIRST)
        post_link.objects.bulk_create(
            post_link(page=position, post_id=pk, sort_order=i) for i, pk in enumerate(post_ids)
        )
        event_link.objects.bulk_create(
            event_link(page=position, event_id=pk, sort_order=i) for i, pk in enumerate(event_ids)
        )
    for revision in _revisions(apps).iterator():
        content = revision.content
        if "related_posts" not in content and "related_events" not in content:
            continue
        page = content.get("pk")
        posts = _ordered(post_model, content.pop("related_posts", None) or [], POSTS_FIRST)
        events = _ordered(event_model, content.pop("related_events", None) or [], EVENTS_FIRST)
        content["related_post_links"] = [
            {"pk": None, "page": page, "post": pk, "sort_order": i} for i, pk in enumerate(posts)
        ]
        content["related_event_links"] = [
            {"pk": None, "page": page, "event": pk, "sort_order": i} for i, pk in enumerate(events)
        ]
        revision.content = content
        revision.save(update_fields=["content"])


def to_many_to_many(apps, schema_editor):
    position_model = apps.get_model("blog", "PositionPage")
    for position in position_model.objects.all():
        position.related_posts.set(
            position.related_post_links.order_by("sort_order").values_list("post_id", flat=True)
        )
        position.related_events.set(
            position.related_event_links.order_by("sort_order").values_list("event_id", flat=True)
        )
    for revision in _revisions(apps).iterator():
        content = revision.content
        if "related_post_links" not in content and "related_event_links" not in content:
            continue
        links = content.pop("related_post_links", None) or []
        content["related_posts"] = [link["post"] for link in links]
        links = content.pop("related_event_links", None) or []
        content["related_events"] = [link["event"] for link in links]
        revision.content = content
        revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_search_text"),
        ("events", "0006_search_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="PositionRelatedEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sort_order", models.IntegerField(blank=True, editable=False, null=True)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="position_links",
                        to="events.eventpage",
                        verbose_name="evenemang",
                    ),
                ),
                (
                    "page",
                    modelcluster.fields.ParentalKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="related_event_links",
                        to="blog.positionpage",
                    ),
                ),
            ],
            options={
                "verbose_name": "relaterat evenemang",
                "verbose_name_plural": "relaterade evenemang",
                "ordering": ["sort_order"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("page", "event"), name="position_related_event_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PositionRelatedPost",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sort_order", models.IntegerField(blank=True, editable=False, null=True)),
                (
                    "page",
                    modelcluster.fields.ParentalKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="related_post_links",
                        to="blog.positionpage",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="position_links",
                        to="blog.blogpage",
                        verbose_name="inlägg",
                    ),
                ),
            ],
            options={
                "verbose_name": "relaterat inlägg",
                "verbose_name_plural": "relaterade inlägg",
                "ordering": ["sort_order"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("page", "post"), name="position_related_post_once"
                    )
                ],
            },
        ),
        migrations.RunPython(to_links, to_many_to_many),
        migrations.RemoveField(model_name="positionpage", name="related_events"),
        migrations.RemoveField(model_name="positionpage", name="related_posts"),
    ]
