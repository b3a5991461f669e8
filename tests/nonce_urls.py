"""A public page with an inline script that carries the CSP nonce (for the cache tests)."""

from django.http import HttpResponse
from django.urls import path


def inline_script(request):
    body = f'<!doctype html><title>Skript</title><script nonce="{request.csp_nonce}">1</script>'
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("med-skript/", inline_script)]
