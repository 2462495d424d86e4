"""Serving a built site on 127.0.0.1 (``sumbench view --serve``): the static files only, with
the page's Content-Security-Policy also sent as a header and no directory listings."""

from __future__ import annotations

import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""The policy of ``assets/index.html``, plus what only a header can say (frame-ancestors)."""


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of one site folder; quiet, no listings, every response with the policy."""

    def end_headers(self) -> None:
        """Add the security headers to every response."""
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No listings: a folder without index.html is not found."""
        self.send_error(404, "not found")

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the command prints its own address."""


def serve(folder: Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server of ``folder`` bound to 127.0.0.1 (``port`` 0 picks a free one); the caller
    runs ``serve_forever`` and closes it."""
    handler = partial(SiteHandler, directory=str(folder))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
