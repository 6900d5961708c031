"""Requests answered "at the server": Django's WSGI application called as a WSGI server calls it.

Django's test ``Client`` instruments every request for tests (it disconnects and reconnects
signal receivers, records the rendered templates and their contexts, attaches the request, the
client and a lazy URL resolution to the response). Useful in tests, but none of it happens in
production, where gunicorn calls ``WSGIHandler(environ, start_response)`` and sends the body.
``ServerClient`` does exactly that, in this process, so that a benchmark measures what the
server does for a request and nothing a test harness adds.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.handlers.wsgi import WSGIHandler
from django.test import Client


class ServerResponse:
    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status: str, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.content = content

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


class ServerClient:
    """GET requests through Django's WSGI handler, keeping cookies as a browser does."""

    def __init__(self, *, host: str = "testserver", language: str = "it") -> None:
        self.handler = WSGIHandler()
        self.cookies: SimpleCookie = SimpleCookie()
        self.host = host
        self.language = language

    def force_login(self, user: Any) -> None:
        """Log ``user`` in (a real session, as the log-in page would leave it)."""
        client = Client()
        client.force_login(user)
        self.cookies.update(client.cookies)

    def get(self, url: str, data: dict[str, Any] | None = None) -> ServerResponse:
        parts = urlsplit(url)
        query = urlencode(data, doseq=True) if data else parts.query
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": parts.path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": self.host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": self.host,
            "HTTP_ACCEPT": "text/html,application/json;q=0.9,*/*;q=0.8",
            "HTTP_ACCEPT_LANGUAGE": self.language,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": BytesIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(
                f"{morsel.key}={morsel.coded_value}" for morsel in self.cookies.values()
            )
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            started[:] = [status, headers]
            return lambda data: None

        body = self.handler(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()  # as a WSGI server does: request_finished, connection housekeeping
        status, headers = started
        for name, value in headers:
            if name.lower() == "set-cookie":
                self.cookies.load(value)
        return ServerResponse(status, headers, content)
