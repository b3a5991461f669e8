"""Delete contact requests older than the retention time (personal data is not kept forever).

``--days`` defaults to the setting ``FSS_CONTACT_RETENTION_DAYS`` (365); spam is deleted
after ``FSS_CONTACT_SPAM_RETENTION_DAYS`` (30) at most. Only counts are logged, never names
or addresses.
"""

import logging

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fss_site.commands import SiteCommand
from fss_site.contact.models import ContactRequest, retention_days, spam_retention_days

logger = logging.getLogger("fss_site.contact")


class Command(SiteCommand):
    help = "Raderar kontaktförfrågningar som är äldre än lagringstiden."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Radera förfrågningar äldre än så här många dagar (standard: inställningen "
            "FSS_CONTACT_RETENTION_DAYS, 365).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Räkna bara, radera ingenting.",
        )

    def handle(self, *args, days, dry_run, **options):
        days = retention_days() if days is None else days
        if days < 1:
            raise CommandError(_("--days måste vara minst 1."))
        spam_days = min(days, max(spam_retention_days(), 1))
        now = timezone.now()
        old = ContactRequest.objects.older_than(days, now)
        old_spam = (
            ContactRequest.objects.older_than(spam_days, now)
            .filter(status=ContactRequest.Status.SPAM)
            .exclude(pk__in=old.values("pk"))
        )
        with transaction.atomic():
            if dry_run:
                count, spam_count = old.count(), old_spam.count()
            else:
                spam_count = old_spam.delete()[0]
                count = old.delete()[0]
        total = count + spam_count
        if dry_run:
            message = _(
                "Provkörning: %(total)d kontaktförfrågningar skulle raderas (%(count)d äldre "
                "än %(days)d dagar, %(spam)d skräp äldre än %(spam_days)d dagar)."
            )
        else:
            message = _(
                "Raderade %(total)d kontaktförfrågningar (%(count)d äldre än %(days)d dagar, "
                "%(spam)d skräp äldre än %(spam_days)d dagar)."
            )
        text = message % {
            "total": total,
            "count": count,
            "days": days,
            "spam": spam_count,
            "spam_days": spam_days,
        }
        logger.info(text)
        self.stdout.write(text)
