"""Reading a built site's data files back in tests (each is one call of the page's callback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.report.view.site import CALLBACK


def read_data(site: Path, name: str) -> Any:
    """The payload of ``data/<name>.js``."""
    text = (site / "data" / f"{name}.js").read_text(encoding="utf-8")
    prefix = f"{CALLBACK}({json.dumps(name)},"
    assert text.startswith(prefix) and text.endswith(");\n"), text[:80]
    return json.loads(text[len(prefix) : -3])


def site_tasks(site: Path) -> list[dict[str, Any]]:
    """Every task payload of the site, in order, from its chunks."""
    index = read_data(site, "tasks")
    tasks: list[dict[str, Any]] = []
    for number in range(len(index["starts"])):
        tasks += read_data(site, f"chunks/{number}")
    return tasks
