"""URL patterns of the contact feature."""

urlpatterns: list = []
