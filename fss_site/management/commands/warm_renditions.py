"""Make the image renditions the templates use for every image already in the library."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.images.exceptions import InvalidFilterSpecError
from wagtail.images.models import Filter

from fss_site.commands import SiteCommand
from fss_site.renditions import make_renditions, template_filter_specs


class Command(SiteCommand):
    help = (
        "Gör de bildversioner som mallarna använder för alla bilder (eller de angivna), "
        "så att ingen besökare behöver vänta på dem. Kan köras flera gånger."
    )

    def add_arguments(self, parser):
        parser.add_argument("--image", type=int, action="append", dest="images", default=[])
        parser.add_argument(
            "--spec",
            action="append",
            dest="specs",
            default=[],
            help=_("Ytterligare filterspecifikation, t.ex. width-1200 (kan upprepas)."),
        )

    def handle(self, *args, images, specs, **options):
        for spec in specs:
            try:
                Filter(spec=spec).operations  # noqa: B018 - parses and validates the spec
            except InvalidFilterSpecError as exc:
                raise CommandError(_("Ogiltig filterspecifikation: %s") % spec) from exc
        all_specs = sorted(set(template_filter_specs()) | set(specs))
        if not all_specs:
            self.stdout.write(_("Mallarna använder inga bildversioner."))
            return
        queryset = get_image_model().objects.order_by("pk")
        if images:
            queryset = queryset.filter(pk__in=images)
            missing = set(images) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(
                    _("Bilderna finns inte: %s") % ", ".join(str(pk) for pk in sorted(missing))
                )
        made = failed = seen = 0
        for image in queryset.iterator(chunk_size=200):
            seen += 1
            try:
                made += make_renditions(image, all_specs)
            except Exception as exc:  # a broken file must not stop the rest
                failed += 1
                self.stderr.write(
                    _("Bild %(pk)s: %(error)s") % {"pk": image.pk, "error": exc.__class__.__name__}
                )
        self.stdout.write(
            _("%(images)d bilder, %(specs)d storlekar (%(list)s): %(made)d nya bildversioner.")
            % {
                "images": seen,
                "specs": len(all_specs),
                "list": ", ".join(all_specs),
                "made": made,
            }
        )
        if failed:
            raise CommandError(_("%d bilder kunde inte behandlas.") % failed)
