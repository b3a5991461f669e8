"""The post's form in the admin: an author chosen twice is refused at the second row,
instead of the byline naming the person twice ("Anna Andersson och Anna Andersson")."""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from fss_site.admin_forms import refuse_repeats, saved_rows


class BlogPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("authors")
        if formset is not None:
            refuse_repeats(
                saved_rows(formset),
                lambda data: data["person"].pk if data.get("person") else None,
                "person",
                _("Personen är redan skribent för inlägget."),
            )
        return cleaned_data
