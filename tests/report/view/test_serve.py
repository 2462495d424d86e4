"""Serving a site on 127.0.0.1: its files with the security headers, no listings, nothing
outside the folder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.report.view import build_view
from bench.report.view.serve import POLICY, serve


@pytest.fixture
def served(viewer_run: Path, tmp_path: Path) -> Iterator[str]:
    build_view(viewer_run, tmp_path / "site")
    (tmp_path / "secret.txt").write_text("outside")
    server = serve(tmp_path / "site", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_serves_the_page_with_its_policy_on_loopback(served: str) -> None:
    response = httpx.get(f"{served}/", timeout=10)
    assert response.status_code == 200 and "view.js" in response.text
    assert response.headers["content-security-policy"] == POLICY
    assert "script-src 'self'" in POLICY and "unsafe-inline" not in POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    data = httpx.get(f"{served}/data/manifest.js", timeout=10)
    assert data.status_code == 200 and data.text.startswith("window.__sumbench_chunk(")


def test_no_listing_and_nothing_outside_the_site(served: str) -> None:
    assert httpx.get(f"{served}/data/", timeout=10).status_code == 404
    assert httpx.get(f"{served}/../secret.txt", timeout=10).status_code == 404
    assert httpx.get(f"{served}/%2e%2e/secret.txt", timeout=10).status_code == 404
