"""Money against a local OpenAI-compatible server that reports token usage: the Cost $ column
and run.json's total, --max-cost stopping new requests (a resume continues), and --dry-run's
estimate made before any request."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clients.chat_server import Script, completion, ok
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from bench.adapters import AdapterError
from bench.cli import app
from bench.prices import Price, PriceError, PriceTable, load_prices
from bench.report.build import build_report
from bench.request import RequestDocument, Summary, SummaryRequest
from bench.run import RunOptions, build_systems, plan_run
from bench.run.cost import Spending
from bench.run.errors import RunError
from bench.store import Store
from bench.tasksets import iter_tasks

PROMPT, COMPLETION = 120, 7  # the usage the server reports for every request
ITEM = (PROMPT * 1000 + COMPLETION * 2000) / 1_000_000  # dollars at the prices below
TASKS = 4


@pytest.fixture
def tasks(tmp_path: Path) -> Path:
    """A JSONL table of four short tasks."""
    path = tmp_path / "tasks.jsonl"
    rows = [
        {
            "id": f"t{i}",
            "documents": [f"The council approved bridge number {i} on Monday. Work starts soon."],
            "references": [f"Bridge {i} approved."],
        }
        for i in range(TASKS)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """Model ``m`` at $1,000 / $2,000 per million tokens (big, so the sums are readable)."""
    path = tmp_path / "prices.yaml"
    path.write_text("models:\n  m: {input: 1000, output: 2000}\n", encoding="utf-8")
    return path


def spec(server: HTTPServer, **extra: str) -> str:
    """The openai system for the local server (one request at a time unless told)."""
    params = {"concurrency": "1", "retries": "0", **extra}
    rest = "".join(f",{k}={v}" for k, v in params.items())
    return f"openai:base_url={server.url_for('/v1')},model=m,api_key_env=none,name=api{rest}"


def options(tasks: Path, out: Path, system: str, **more: Any) -> RunOptions:
    return RunOptions(
        tasks=str(tasks),
        out=out,
        systems=[system, "lead"],
        scorers=["rouge"],
        no_cache=True,
        **more,
    )


def test_the_cost_column_sums_each_items_reported_tokens_and_run_json_records_the_total(
    serve: Callable[..., Script], server: HTTPServer, tasks: Path, prices: Path, tmp_path: Path
) -> None:
    script = serve(ok())
    out = tmp_path / "run"
    stats = plan_run(options(tasks, out, spec(server), prices=prices)).execute()
    assert stats.errors.total == 0 and len(script.requests) == TASKS
    table = build_report(Store(out), charts=False)
    header = next(line for line in table.splitlines() if "Cost" in line)
    api = next(line for line in table.splitlines() if line.startswith("| api"))
    lead = next(line for line in table.splitlines() if line.startswith("| lead"))
    cells = [c.strip() for c in header.split("|")]
    column = cells.index("Cost \\$")  # Markdown escapes the dollar (no math mode)
    assert [c.strip() for c in api.split("|")][column] == f"{TASKS * ITEM:.4f}"
    assert [c.strip() for c in lead.split("|")][column] == "–"  # a baseline reports no tokens
    cost = Store(out).run_info()["cost"]
    assert cost["total_usd"] == pytest.approx(TASKS * ITEM)
    assert cost["by_system"] == {"api": pytest.approx(TASKS * ITEM)}


def estimated(server: HTTPServer, tasks: Path, prices: Path, **extra: str) -> float:
    """The --dry-run estimate of one request to the server (every task here is as long)."""
    (system,) = build_systems([spec(server, **extra)])
    task = next(iter_tasks(tasks))
    return Spending(load_prices(prices)).estimate(system, [task.request()])


def test_max_cost_stops_new_requests_and_a_resume_does_the_rest_once(
    serve: Callable[..., Script], server: HTTPServer, tasks: Path, prices: Path, tmp_path: Path
) -> None:
    script = serve(ok())
    out = tmp_path / "run"
    guess = estimated(server, tasks, prices)
    # one request at a time: the second is sent (ITEM spent + its estimate fit the limit),
    # the third is not (2 x ITEM + its estimate would pass it)
    limit = ITEM + guess + 0.01
    first = plan_run(options(tasks, out, spec(server), prices=prices, max_cost=limit))
    stats = first.execute()
    assert len(script.requests) == 2
    assert stats.not_run.total == TASKS - 2 and stats.errors.total == 0
    info = Store(out).run_info()
    assert info["status"] == "stopped" and info["cost"]["this_run_usd"] == pytest.approx(2 * ITEM)
    stats = plan_run(options(tasks, out, spec(server), prices=prices)).execute()
    assert len(script.requests) == TASKS and stats.not_run.total == 0
    rows = [r for r in Store(out).outputs() if r["system"] == "api"]
    assert sorted(r["task_id"] for r in rows) == [f"t{i}" for i in range(TASKS)]
    info = Store(out).run_info()
    assert info["status"] == "complete"
    assert info["cost"]["total_usd"] == pytest.approx(TASKS * ITEM)


def test_max_cost_reserves_each_estimate_so_concurrent_requests_pass_it_only_by_their_errors(
    serve: Callable[..., Script], server: HTTPServer, prices: Path, tmp_path: Path
) -> None:
    count, concurrent = 12, 4
    path = tmp_path / "many.jsonl"
    rows = [
        {"id": f"t{i:02d}", "documents": [f"The council approved bridge {i:02d}. Work starts."]}
        for i in range(count)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    # the server reports more tokens than estimated: each request costs more than reserved
    used = {"prompt_tokens": 150, "completion_tokens": 140}
    actual = (used["prompt_tokens"] * 1000 + used["completion_tokens"] * 2000) / 1_000_000

    def slow(request: Request) -> Response:
        time.sleep(0.3)  # every request in flight at once overlaps the others
        return ok(completion(usage=used))

    script = serve(slow)
    guess = estimated(server, path, prices, concurrency=str(concurrent))
    error = actual - guess
    assert 0 < error < guess / 4
    limit = 2.5 * guess
    system = spec(server, concurrency=str(concurrent))
    stats = plan_run(
        options(path, tmp_path / "run", system, prices=prices, max_cost=limit)
    ).execute()
    spent = Store(tmp_path / "run").run_info()["cost"]["this_run_usd"]
    sent = len(script.requests)
    assert spent == pytest.approx(sent * actual)
    # checking only what was spent would have let all four start at $0 (4 x actual, over
    # the limit by 1.5 estimates); reserving lets two go, and no third while they are out
    assert spent <= limit + concurrent * error and sent == 2
    assert stats.not_run.total == count - sent
    assert spent + guess > limit  # it stopped only when the next request would pass the limit


def test_a_reservation_is_released_when_its_request_fails_or_returns() -> None:
    table = PriceTable("p.yaml", {"m": Price(1000.0, 2000.0)})
    (system,) = build_systems(["openai:base_url=http://127.0.0.1:9/v1,model=m,api_key_env=none"])
    first, second, third = (
        SummaryRequest(
            task_id=name,
            language="en",
            instructions="Summarize.",
            budget=30,
            documents=(RequestDocument(id="d", text="The council met."),),
        )
        for name in ("a", "b", "c")
    )
    guess = Spending(table).estimate(system, [first])
    spending = Spending(table, limit=2.5 * guess)
    assert spending.gate(system, [first]) is None and spending.reserved == pytest.approx(guess)
    assert spending.gate(system, [second]) is None  # two estimates fit
    reason = spending.gate(system, [third])
    assert reason is not None and "reserved by requests in flight" in reason
    spending.settle(system, [first], [AdapterError("down")])
    assert spending.reserved == pytest.approx(guess) and spending.spent == 0
    summary = Summary(text="Met.", meta={"prompt_tokens": 10, "completion_tokens": 5})
    spending.settle(system, [second], [summary])
    assert spending.reserved == 0 and spending.spent == pytest.approx(0.02)
    assert spending.gate(system, [third]) is None  # $0.02 spent + one estimate fit again


def test_dry_run_estimates_prompt_tokens_from_the_messages_and_sends_nothing(
    serve: Callable[..., Script], server: HTTPServer, tasks: Path, prices: Path, tmp_path: Path
) -> None:
    script = serve(ok(completion(usage={"prompt_tokens": PROMPT, "completion_tokens": 7})))
    out = tmp_path / "run"
    argv = ["run", "--tasks", str(tasks), "--out", str(out), "--systems", spec(server)]
    argv += ["--scorers", "rouge", "--no-cache", "--prices", str(prices), "--no-charts"]
    dry = CliRunner().invoke(app, [*argv, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert script.requests == [] and not (out / "scores.csv").exists()
    row = next(line for line in dry.stdout.splitlines() if line.startswith("| api"))
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[1] == str(TASKS)
    # the estimate is the characters of the messages the real run then sends, / 4
    real = CliRunner().invoke(app, argv)
    assert real.exit_code == 0, real.output
    sent = sum(len(m["content"]) for r in script.requests for m in r["messages"])
    assert float(cells[2].replace(",", "")) == pytest.approx(sent / 4, abs=1)
    assert "No request was made" in dry.stdout


def test_max_cost_without_prices_and_an_unpriced_model_are_refused_before_any_request(
    serve: Callable[..., Script], server: HTTPServer, tasks: Path, tmp_path: Path
) -> None:
    script = serve(ok())
    with pytest.raises(RunError, match="--max-cost needs --prices"):
        plan_run(options(tasks, tmp_path / "a", spec(server), max_cost=1.0))
    other = tmp_path / "other.yaml"
    other.write_text("models:\n  gpt-4o: {input: 1, output: 2}\n", encoding="utf-8")
    with pytest.raises(RunError, match=r"other\.yaml has no price for model 'm'"):
        plan_run(options(tasks, tmp_path / "b", spec(server), prices=other))
    assert script.requests == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models: []\n", "expected a mapping 'models'"),
        ("models:\n  m: {input: 1}\n", "models.m: expected {input: DOLLARS, output: DOLLARS}"),
        ("models:\n  m: {input: -1, output: 2}\n", "models.m.input: expected dollars"),
        ("models:\n  m: {input: 1, output: .nan}\n", "models.m.output: expected dollars"),
        ("models: {}\n", "models: the table names no model"),
        ("models: [\n", "invalid YAML"),
    ],
)
def test_a_bad_price_table_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PriceError, match=r"prices\.yaml") as raised:
        load_prices(path)
    assert message in str(raised.value)


def test_the_example_price_table_loads() -> None:
    table = load_prices(Path(__file__).resolve().parents[2] / "examples" / "prices.yaml")
    assert table.models["gpt-4o-mini"].cost(1_000_000, 1_000_000) == pytest.approx(0.75)
