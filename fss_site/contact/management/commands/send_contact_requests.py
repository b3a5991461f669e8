"""Send the contact requests that are still unsent (run it from cron every few minutes).

Each request is claimed before it is sent, so two runs at the same time never mail the same
request twice. Exits with an error when some request could not be sent; those stay stored
and are tried again on the next run.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from fss_site.commands import SiteCommand
from fss_site.contact.delivery import send_pending


class Command(SiteCommand):
    help = "Skickar kontaktförfrågningar som ännu inte har skickats (kan köras parallellt)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=100,
            help="Högst så många förfrågningar per körning (standard 100).",
        )

    def handle(self, *args, limit, **options):
        if limit < 1:
            raise CommandError(_("--limit måste vara minst 1."))
        sent, failed = send_pending(limit=limit)
        if not sent and not failed:
            self.stdout.write(_("Inga förfrågningar att skicka."))
            return
        self.stdout.write(
            _("Skickade %(sent)d förfrågningar, %(failed)d misslyckades.")
            % {"sent": sent, "failed": failed}
        )
        if failed:
            raise CommandError(
                _("%(failed)d förfrågningar kunde inte skickas; de ligger kvar och skickas om.")
                % {"failed": failed}
            )
