"""The public, read-only Wagtail API (v2) at /api/v2/: pages, images and documents.

Only what any visitor may see is served, whoever asks: live pages outside every private
section (even for signed-in users who could open them on the site), and images and
documents outside restricted collections. The endpoints answer GET only.

Listings of one page type (``?type=blog.BlogPage``) prefetch the related objects the
type's ``api_fields`` show, so a listing costs the same number of queries however many
pages it holds.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.response import Response
from taggit.managers import _TaggableManager
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.serializers import DocumentSerializer
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Collection, CollectionViewRestriction

from blog.models import BlogPage, BlogPageAuthor, PositionPage
from events.models import AttendanceDay, EventPage, EventParticipant
from fss_site.api_fields import PrefetchedTagsField
from fss_site.search import MAX_QUERY_LENGTH, query_too_long
from people.models import PersonPage


def restricted_collection_ids() -> set[int]:
    """Collections under any view restriction, with their descendants."""
    paths = list(
        Collection.objects.filter(
            pk__in=CollectionViewRestriction.objects.values("collection_id")
        ).values_list("path", flat=True)
    )
    if not paths:
        return set()
    under_any = Q()
    for path in paths:
        under_any |= Q(path__startswith=path)
    return set(Collection.objects.filter(under_any).values_list("pk", flat=True))


def listing_prefetches():
    """select_related and prefetch_related per page type, for the types' api_fields."""
    return {
        BlogPage: (
            ["category"],
            [
                "topics",
                "tags",
                Prefetch(
                    "authors",
                    queryset=BlogPageAuthor.objects.select_related("person").order_by(
                        "sort_order", "pk"
                    ),
                ),
            ],
        ),
        PositionPage: (["superseded_by", "response_document"], ["topics"]),
        PersonPage: (["photo"], ["topics", "roles"]),
        EventPage: (
            [],
            [
                "topics",
                "organisers",
                Prefetch(
                    "participants",
                    queryset=EventParticipant.objects.select_related("person").order_by(
                        "sort_order"
                    ),
                ),
                Prefetch(
                    "attendance_days",
                    queryset=AttendanceDay.objects.select_related("person").order_by(
                        "day", "sort_order"
                    ),
                ),
            ],
        ),
    }


class PrefetchedTagsMixin:
    """Serialize tags from ``prefetch_related("tags")`` instead of one query per object."""

    def build_property_field(self, field_name, model_class):
        if isinstance(getattr(model_class, field_name, None), _TaggableManager):
            return PrefetchedTagsField, {}
        return super().build_property_field(field_name, model_class)


class PublicPageSerializer(PrefetchedTagsMixin, PageSerializer):
    pass


class PublicImageSerializer(PrefetchedTagsMixin, ImageSerializer):
    pass


class PublicDocumentSerializer(PrefetchedTagsMixin, DocumentSerializer):
    pass


# Past any list, and with room for the limit below the 64-bit integers' end.
MAX_OFFSET = 2**62


class ClientErrorMixin:
    """A filter value of the wrong kind (``?topics=<slug>`` on a relation) is the client's
    error: answer 400 with a message instead of letting the ValueError become a 500. So is
    a value past what the database can hold (``OverflowError``: on SQLite, an id past 64
    bits, or a date before year 1 once it is turned to UTC).

    ``?search=`` is held to the site search's length (``MAX_QUERY_LENGTH``), with its
    message: a client is told that its query is too long rather than have it cut short
    (the search backend reads at most ``MAX_WORDS`` words, fss_site/search_backend.py;
    before it did, a few hundred words were a 500). ``?offset=`` is held to ``MAX_OFFSET``:
    the databases count rows in 64-bit integers, and a larger offset failed in the query.
    """

    def check_query_parameters(self, queryset):
        super().check_query_parameters(queryset)
        if len(self.request.GET.get("search", "")) > MAX_QUERY_LENGTH:
            raise BadRequestError(query_too_long())
        try:
            offset = int(self.request.GET.get("offset", 0))
        except ValueError:
            return  # Wagtail's pagination answers that one
        if offset > MAX_OFFSET:
            raise BadRequestError(
                gettext("Ogiltigt värde i en parameter: offset får vara högst %(max)s.")
                % {"max": MAX_OFFSET}
            )

    def handle_exception(self, exc):
        if isinstance(exc, OverflowError):
            # A number or date past what the database (SQLite) or Python can hold.
            message = gettext(
                "Ogiltigt värde i en parameter: talet eller datumet ligger utanför det som går "
                "att söka efter."
            )
        elif isinstance(exc, ValueError | DjangoValidationError):
            message = gettext("Ogiltigt värde i en parameter: %s") % exc
        else:
            return super().handle_exception(exc)
        return Response({"message": message}, status=status.HTTP_400_BAD_REQUEST)


class PublicPagesAPIViewSet(ClientErrorMixin, PagesAPIViewSet):
    base_serializer_class = PublicPageSerializer

    def get_base_queryset(self):
        # Wagtail lets a request see restricted pages it has access to (a signed-in
        # group member, a password given in the session); this API is for everyone.
        return super().get_base_queryset().public()

    def get_queryset(self):
        queryset = super().get_queryset().select_related("locale")
        select, prefetch = listing_prefetches().get(queryset.model, ((), ()))
        return queryset.select_related(*select).prefetch_related(*prefetch)


class PublicImagesAPIViewSet(ClientErrorMixin, ImagesAPIViewSet):
    base_serializer_class = PublicImageSerializer

    def get_queryset(self):
        return (
            self.model.objects.exclude(collection__in=restricted_collection_ids())
            .prefetch_related("tags")
            .order_by("id")
        )


class PublicDocumentsAPIViewSet(ClientErrorMixin, DocumentsAPIViewSet):
    base_serializer_class = PublicDocumentSerializer

    def get_queryset(self):
        return (
            self.model.objects.exclude(collection__in=restricted_collection_ids())
            .prefetch_related("tags")
            .order_by("id")
        )


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
