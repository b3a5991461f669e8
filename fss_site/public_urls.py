"""URL patterns of the public site (public_urls)."""

urlpatterns: list = []
