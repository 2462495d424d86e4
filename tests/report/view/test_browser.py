"""The site in a real browser (the system's Chromium, driven by playwright): from the table to
an item, filters, keyboard, hostile summaries that must not run, claims evidence, screenshots.

Skipped, with the reason, where playwright or Chromium is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bench.report.view as view_assets
from bench.analysis import metric_catalog
from bench.report.view import ViewOptions, build_view
from bench.report.view.browser import launch, unavailable
from bench.report.view.table import read_table
from bench.store import Store
from tests.report.view.conftest import HOSTILE_SUMMARIES, HOSTILE_SYSTEM

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=f"no browser: {unavailable()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def site(viewer_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "view"
    build_view(viewer_run, out)
    return out


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page that records errors, console messages and every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.errors, page.console, page.requests = [], [], []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))
    page.on("request", lambda r: page.requests.append(r.url))
    try:
        yield page
    finally:
        context.close()


def _until(page: Any, condition: str, seconds: float = 15) -> None:
    """Wait until the page's ``condition`` holds (polled from here: the page's policy forbids
    the eval that ``wait_for_function`` polls with)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => !!({condition})"):
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        page.wait_for_timeout(50)


def _shown_item(page: Any, task: str, system: str) -> None:
    """Wait until the item page of ``task``/``system`` is drawn, not only routed: the hash
    changes before the page renders, and until its task file has loaded the previous page's
    summary is still there while the keys are not bound yet (a key pressed then is lost)."""
    _until(page, f"location.hash === '#/item/{task}/{system}'")
    page.wait_for_selector(f"body[data-page=item] h1:has-text('{system} on {task}')")
    page.wait_for_selector("body[data-page=item] .summary")


def _open(page: Any, site: Path, route: str = "") -> None:
    page.goto((site / "index.html").as_uri() + route)
    page.wait_for_selector("body[data-ready]", timeout=15000)


def test_table_is_table_md_and_a_cell_leads_to_its_items(
    page: Any, site: Path, viewer_run: Path, tmp_path: Path
) -> None:
    _open(page, site)
    table = read_table(viewer_run / "table.md", [], metric_catalog(Store(viewer_run)))
    rows = page.eval_on_selector_all(
        "table.results tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))"
    )
    expected = [[c["text"] for c in table["header"]]]
    expected += [
        [r["cells"][0]["text"]] if r["group"] else [c["text"] for c in r["cells"]]
        for r in table["rows"]
    ]
    assert rows == expected
    bold = page.eval_on_selector_all(
        "table.results tbody tr:first-child td",
        "cells => cells.map(c => !!c.querySelector('strong'))",
    )
    assert bold == [c["bold"] for c in table["rows"][0]["cells"]]
    page.screenshot(path=str(tmp_path / "table.png"))
    page.click("table.results tbody tr:first-child td:nth-child(2) a")  # lead, R-1
    page.wait_for_selector("body[data-page=dist] table tbody tr")
    assert page.text_content("h1") == "R-1 per item: lead"
    values = page.eval_on_selector_all(
        "table tbody tr td:nth-child(4)", "c => c.map(x => Number(x.textContent))"
    )
    assert len(values) == 5 and values == sorted(values, reverse=True)
    best = page.text_content("table tbody tr:first-child td:nth-child(2)")
    page.screenshot(path=str(tmp_path / "dist.png"))
    page.click("table tbody tr:first-child td:nth-child(2) a")
    page.wait_for_selector("body[data-page=item] .summary .s")
    assert page.text_content("h1").startswith(f"lead on {best}")
    summary = next(
        r for r in Store(viewer_run).outputs() if r["task_id"] == best and r["system"] == "lead"
    )["summary"]
    shown = " ".join(page.eval_on_selector_all(".summary .s", "s => s.map(x => x.textContent)"))
    assert shown.split() == summary.split()
    assert page.errors == []


def test_filters_by_task_range_order_and_system(page: Any, site: Path) -> None:
    _open(page, site, "#/dist/lead/rouge1_f?order=worst")
    page.wait_for_selector("body[data-page=dist] table tbody tr")
    values = page.eval_on_selector_all(
        "table tbody tr td:nth-child(4)", "c => c.map(x => Number(x.textContent))"
    )
    assert values == sorted(values)
    page.fill("input[aria-label='task filter']", "summit-00")
    page.press("input[aria-label='task filter']", "Enter")
    _until(page, "document.querySelectorAll('table tbody tr').length === 4")
    page.fill("input[aria-label='minimum']", str(values[2]))
    page.press("input[aria-label='minimum']", "Enter")
    _until(page, "document.querySelectorAll('table tbody tr').length < 4")
    kept = page.eval_on_selector_all(
        "table tbody tr td:nth-child(4)", "c => c.map(x => Number(x.textContent))"
    )
    assert kept and all(v >= values[2] for v in kept)
    ids = page.eval_on_selector_all(
        "table tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)"
    )
    assert all("summit-00" in i for i in ids)
    page.select_option("select[aria-label='system']", "oracle")
    _until(page, "document.querySelector('h1').textContent.endsWith('oracle (upper bound)')")
    _open(page, site, "#/task/paris-summit?hide=random,oracle")
    page.wait_for_selector(".cards .card")
    cards = page.eval_on_selector_all(".cards .card h3 a", "a => a.map(x => x.textContent)")
    assert cards == ["lead", "textrank", "lexrank", "human"]
    page.click("label:has-text('textrank') input")
    _until(page, "document.querySelectorAll('.cards .card').length === 3")


def test_verdict_filter_and_claim_evidence_highlight_the_sources(
    page: Any, site: Path, tmp_path: Path
) -> None:
    _open(page, site, "#/item/paris-summit-001/lead")
    page.wait_for_selector("body[data-page=item] .summary .s")
    sections = page.eval_on_selector_all(
        ".panel > h3", "h => h.map(x => x.firstChild.textContent.trim())"
    )
    assert "Key facts" in sections and "Faithfulness to the sources" in sections
    facts = page.locator("h3:has-text('Key facts') + div table tr.pick")
    total = facts.count()
    page.select_option("h3:has-text('Key facts') select", "absent")
    absent = page.locator("h3:has-text('Key facts') + div table tr.pick")
    assert 0 < absent.count() < total
    assert set(absent.locator("td:nth-child(3) .verdict").all_text_contents()) == {"absent"}
    claims = page.locator("h3:has-text('Faithfulness') + div table tr.pick")
    assert claims.count() == 2
    claims.nth(0).click()
    supported = page.locator(".sources .s.hl-support")
    assert supported.count() == 1 and supported.get_attribute("data-doc") == "0"
    assert supported.get_attribute("data-i") == "0"
    claims.nth(1).click()
    contradicted = page.locator(".sources .s.hl-contradict")
    assert contradicted.count() == 1 and contradicted.get_attribute("data-i") == "2"
    page.click(".summary .s[data-i='0']")
    assert page.locator(".sources .s.hl-support").count() == 1
    page.screenshot(path=str(tmp_path / "item.png"), full_page=False)


def test_keyboard_walks_the_list_and_the_systems(page: Any, site: Path) -> None:
    _open(page, site, "#/dist/lead/kf_recall")
    page.wait_for_selector("body[data-page=dist] table tbody tr.sel")
    ids = page.eval_on_selector_all(
        "table tbody tr td:nth-child(2)", "c => c.map(x => x.textContent)"
    )
    page.keyboard.press("j")
    assert page.locator("table tbody tr.sel td:nth-child(2)").text_content() == ids[1]
    page.keyboard.press("Enter")
    _shown_item(page, ids[1], "lead")
    page.keyboard.press("j")
    _shown_item(page, ids[2], "lead")
    page.keyboard.press("k")
    _shown_item(page, ids[1], "lead")
    page.keyboard.press("l")
    _shown_item(page, ids[1], "random")
    page.keyboard.press("t")
    page.wait_for_selector("table.results")


def test_hostile_summaries_and_names_are_shown_as_text_and_never_run(
    page: Any, hostile_run: Path, tmp_path: Path
) -> None:
    site = tmp_path / "view"
    build_view(hostile_run, site)
    for route in [
        "",
        "#/task/paris-summit-001",
        "#/item/paris-summit-001/" + HOSTILE_SYSTEM.replace('"', "%22"),
        "#/item/paris-summit-002/x",
        "#/problems",
        "#/tasks",
    ]:
        _open(page, site, route)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None, route
        assert page.locator("main img, main script, main b:has-text('bold')").count() == 0, route
        assert page.locator("a[href^='javascript:']").count() == 0, route
    from urllib.parse import quote

    _open(page, site, "#/item/paris-summit-001/" + quote(HOSTILE_SYSTEM, safe=""))
    page.wait_for_selector(".summary .s")
    text = " ".join(page.eval_on_selector_all(".summary .s", "s => s.map(x => x.textContent)"))
    assert text.split() == HOSTILE_SUMMARIES["paris-summit-001"].split()
    assert page.text_content("h1").startswith(HOSTILE_SYSTEM)
    assert page.evaluate("window.__pwned") is None
    _open(page, site, "#/item/paris-summit-002/" + quote(HOSTILE_SYSTEM, safe=""))
    page.wait_for_selector("h3:has-text('Faithfulness')")
    assert page.locator("td:has-text('<script>window.__pwned=6</script>')").count() == 1
    _open(page, site, "#/problems")
    page.wait_for_selector("td.mono")
    assert page.locator("tbody tr, table tr").count() >= 4
    page.screenshot(path=str(tmp_path / "problems.png"))
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_inline_script_is_refused_by_the_policy(page: Any, site: Path) -> None:
    _open(page, site)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inline = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.__inline") is None
    assert any("Content Security Policy" in m for m in page.console)


def test_the_site_loads_only_its_own_files(page: Any, site: Path) -> None:
    for route in [
        "",
        "#/dist/human/kf_wrecall",
        "#/task/paris-summit",
        "#/item/paris-summit/human",
        "#/tasks",
        "#/problems",
    ]:
        _open(page, site, route)
        page.wait_for_timeout(200)
    root = site.resolve().as_uri()
    assert page.requests and all(url.startswith(root) for url in page.requests), page.requests


def test_diff_page_shows_deltas_and_changed_items_side_by_side(
    page: Any, bundled_run: Path, degraded_run: Path, tmp_path: Path
) -> None:
    site = tmp_path / "view"
    build_view(bundled_run, site, ViewOptions(compare_to=degraded_run))
    _open(page, site, "#/diff")
    page.wait_for_selector("body[data-page=diff] tr.pick")
    page.click("tr.pick:has(td:text-is('lead')):has(td:text-is('R-1'))")
    page.wait_for_selector(".side")
    first = page.locator(".panel").first
    before, after = first.locator(".side p").all_text_contents()
    assert len(after.split()) == 15 and len(before.split()) > 15
    page.screenshot(path=str(tmp_path / "diff.png"))
    assert page.errors == []


def test_diff_page_shows_the_digits_and_bounds_of_sumbench_compare(
    page: Any, bundled_run: Path, tmp_path: Path
) -> None:
    site = tmp_path / "view"
    build_view(bundled_run, site, ViewOptions(compare_to=bundled_run))
    _open(page, site, "#/diff")
    page.wait_for_selector("body[data-page=diff] tr.pick")
    row = page.locator("tr.pick:has(td:text-is('oracle')):has(td:text-is('KF'))")
    cells = row.locator("td").all_text_contents()
    # KF of oracle is 46.25 exactly: table.md and compare print 46.2 (a tie to even)
    assert cells[2:7] == ["46.2", "46.2", "+0.00", "[−∞, +∞]", "1"], cells
    assert page.errors == []


def test_the_page_rounds_numbers_as_python_formats_them(page: Any, site: Path) -> None:
    import random
    import re

    script = (Path(view_assets.__file__).parent / "assets" / "view.js").read_text()
    fixed = re.search(r"\n  function fixed\(x, digits\) \{\n.*?\n  \}\n", script, re.S)
    assert fixed is not None
    draw = random.Random(0)
    cases = [(46.25, 1), (0.125, 2), (-0.25, 1), (2.5, 0), (3.5, 0), (0.15, 1), (1.005, 2)]
    for _ in range(300):
        cases.append((draw.randint(-99999, 99999) / draw.choice([8, 16, 400, 1000]), 1))
        cases.append((draw.uniform(-100, 100), draw.randint(0, 3)))
    _open(page, site)
    call = f"(cases) => {{ {fixed.group()} return cases.map(c => fixed(c[0], c[1])); }}"
    assert page.evaluate(call, cases) == [f"{x:.{d}f}" for x, d in cases]
