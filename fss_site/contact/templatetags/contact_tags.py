"""``{% contact_url person %}``: the contact form's URL with the person preselected.

Usage on a person page::

    {% load contact_tags %}
    {% contact_url page as url %}{% if url %}<a href="{{ url }}">Kontakta</a>{% endif %}
"""

from django import template

from ..models import ContactPage

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_url(context, person=None):
    """``<contact page url>?talesperson=<id>`` for a spokesperson, the plain form URL for
    anyone else, and "" when the site has no live contact page."""
    return ContactPage.url_for_person(person, request=context.get("request"))
