"""URL patterns of the contact feature.

None are needed: the form and its thank-you page ("tack/") are routes of ``ContactPage``
(a RoutablePageMixin page), so they follow wherever editors put the page.
"""

urlpatterns: list = []
