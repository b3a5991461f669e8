"""``import_seeds [PATH ...] [--dry-run]``: turn the seed documents into site content."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from fss_site.commands import SiteCommand
from seeds.importer import import_result
from seeds.parser import SeedError, collect_documents, load_editorial, parse

DEFAULT_PATH = Path(settings.BASE_DIR) / "seeds" / "data"


class Command(SiteCommand):
    help = "Importerar startinnehållet (seeds/data/) till webbplatsen."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help=_("Filer eller mappar"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Visa vad som skulle göras, spara inget")
        )
        parser.add_argument("--editorial", type=Path, default=None, help=_("Redaktionsfil"))

    def handle(self, *args, paths, dry_run, editorial, **options):
        try:
            documents = collect_documents(paths or [DEFAULT_PATH])
            result = parse(documents, load_editorial(editorial))
        except SeedError as error:
            raise CommandError(str(error)) from None
        report = import_result(result, dry_run=dry_run)
        self.stdout.write(report.render())
