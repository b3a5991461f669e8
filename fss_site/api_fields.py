"""Read-only serializers for the pages' ``api_fields`` in the public API (/api/v2/).

Kept apart from ``fss_site.api`` and free of model imports, so page models can use
them without import cycles. Related objects are shown by what a reader needs (names,
slugs, bylines), not as bare ids.
"""

from rest_framework import serializers


class RelatedListSerializer(serializers.ListSerializer):
    """Lists a related manager (including modelcluster's child relations) in order."""

    def to_representation(self, data):
        if hasattr(data, "all"):
            data = data.all()
        return [self.child.to_representation(item) for item in data]


class ReadOnlySerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = RelatedListSerializer


class TopicSerializer(ReadOnlySerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class CategorySerializer(ReadOnlySerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class OrganisationSerializer(ReadOnlySerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)


class AuthorSerializer(ReadOnlySerializer):
    """A post's author: the person page's id and name, and the byline of the time."""

    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.title", read_only=True)
    byline = serializers.CharField(read_only=True)


class ParticipantSerializer(ReadOnlySerializer):
    person = serializers.IntegerField(source="person_id", read_only=True, allow_null=True)
    name = serializers.CharField(source="display_name", read_only=True)
    title = serializers.CharField(read_only=True)
    part = serializers.CharField(read_only=True)
    part_label = serializers.CharField(source="get_part_display", read_only=True)


class AttendanceDaySerializer(ReadOnlySerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.title", read_only=True)
    day = serializers.DateField(read_only=True)
    preliminary = serializers.BooleanField(read_only=True)


class RoleSerializer(ReadOnlySerializer):
    kind = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    label = serializers.SerializerMethodField()

    def get_label(self, role):
        return str(role)


class PrefetchedTagsField(serializers.Field):
    """Tag names, sorted, read from prefetched tags (``prefetch_related("tags")``)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return sorted((tag.name for tag in value.all()), key=str.casefold)
