"""Logging never writes out what a visitor sent: no request bodies, form data or cookies."""

import io
import logging

import pytest
from django.urls import path

SECRET = "personnummer-19121212-1212"


def _crash(request):
    raise RuntimeError("krasch")


urlpatterns = [path("krasch/", _crash)]


def _console_handler(logger_name):
    handlers = [
        handler
        for handler in logging.getLogger(logger_name).handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    assert handlers, f"{logger_name} has no console handler"
    return handlers[0]


@pytest.mark.parametrize("logger_name", ["django.request", "django.security", "root"])
def test_console_handlers_drop_the_request(rf, logger_name):
    handler = _console_handler(None if logger_name == "root" else logger_name)
    record = logging.LogRecord(
        logger_name, logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), None
    )
    record.request = rf.post("/x/", {"message": SECRET})
    assert handler.filter(record)
    assert not hasattr(record, "request")
    assert SECRET not in handler.format(record)


@pytest.mark.urls(__name__)
def test_a_crash_is_logged_without_the_posted_data(client):
    handler = _console_handler("django.request")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client.raise_request_exception = False
        client.cookies["sessionid"] = SECRET
        response = client.post("/krasch/", {"message": SECRET})
    finally:
        handler.setStream(previous)
    assert response.status_code == 500
    logged = buffer.getvalue()
    assert "Internal Server Error: /krasch/" in logged
    assert SECRET not in logged
