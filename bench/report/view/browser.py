"""A headless Chromium for looking at a built site: the system's browser (Debian's
``chromium``) driven by the ``playwright`` package, whose own browser download cannot work
offline. Used by the browser tests, ``benchmarks/view_scale.py`` and the README screenshots."""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """``$SUMBENCH_CHROMIUM``, else the first Chromium on the PATH."""
    given = os.environ.get("SUMBENCH_CHROMIUM")
    if given:
        return given if os.path.isfile(given) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why a browser cannot be launched here, or None when it can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install 'sumbench[view-test]')"
    if find_chromium() is None:
        return "no Chromium found (apt-get install chromium, or set SUMBENCH_CHROMIUM)"
    return None


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
