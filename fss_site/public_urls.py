"""URL patterns of the public site (public_urls): topics and search.

Included at the site root before Wagtail's catch-all, so these paths win over pages.
"""

from django.urls import path

from . import search, views

urlpatterns = [
    path("amnen/", views.topic_index, name="topic-index"),
    path("amne/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("sok/", search.search, name="search"),
]
