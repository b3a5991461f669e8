from django.utils.translation import gettext as _

from fss_site.commands import SiteCommand
from fss_site.site_tree import ensure_site_tree


class Command(SiteCommand):
    help = "Skapar startsidan och sektionssidorna som saknas (kan köras flera gånger)."

    def handle(self, *args, **options):
        _tree, created = ensure_site_tree()
        if created:
            self.stdout.write(_("Skapade sidor: %s") % ", ".join(created))
        else:
            self.stdout.write(_("Sidträdet är redan komplett."))
