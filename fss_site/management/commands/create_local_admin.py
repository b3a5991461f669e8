"""Create a local administrator for development with a freshly generated password.

The password is written to ``.local/admin-password`` (ignored by git) and printed, so
nothing secret lives in the repository. Running the command again keeps the account and
prints where the password is.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from fss_site.commands import SiteCommand


class Command(SiteCommand):
    help = "Skapar ett lokalt administratörskonto med ett slumpat lösenord."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(_("Kommandot är bara till för utveckling (DEBUG på)."))
        password_file = settings.BASE_DIR / ".local" / "admin-password"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user and password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(username=username, email="", password=password)
            else:
                user.set_password(password)
                user.save()
            password_file.parent.mkdir(exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        self.stdout.write(
            _("Logga in på http://127.0.0.1:8000/admin/ som ”%(user)s” med lösenordet %(pw)s")
            % {"user": username, "pw": password}
        )
        self.stdout.write(_("(Lösenordet finns också i %s)") % password_file)
