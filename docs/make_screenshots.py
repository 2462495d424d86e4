"""Regenerate the README's screenshots of the results site from the committed baseline run.

    python docs/make_screenshots.py     # needs playwright and a Chromium (see the README)

Writes docs/view-table.png (the results table) and docs/view-item.png (one summary with its
key-fact verdicts, a fact selected, its evidence marked in the summary and the sources), as
256-colour PNGs to keep them small.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from bench.report.view import build_view
from bench.report.view.browser import launch, unavailable

DOCS = Path(__file__).resolve().parent
RUN = DOCS.parent / "results" / "baseline"


def _save(page: object, path: Path) -> None:
    raw = path.with_suffix(".raw.png")
    page.screenshot(path=str(raw))  # type: ignore[attr-defined]
    Image.open(raw).convert("RGB").quantize(colors=256).save(path, optimize=True)
    raw.unlink()
    print(f"{path}: {path.stat().st_size // 1024} KB")


def main() -> int:
    reason = unavailable()
    if reason:
        print(reason)
        return 1
    site = Path(tempfile.mkdtemp()) / "view"
    build_view(RUN, site)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(site.joinpath("index.html").as_uri())
        page.wait_for_selector("body[data-ready]")
        _save(page, DOCS / "view-table.png")
        page.goto(site.joinpath("index.html").as_uri() + "#/item/paris-summit-001/lexrank")
        page.wait_for_selector("h3.section")
        page.locator("table.facts tr.pick").nth(1).click()
        page.evaluate("window.scrollTo(0, 0)")
        _save(page, DOCS / "view-item.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
