"""URL patterns of the public site (machine_urls)."""

urlpatterns: list = []
