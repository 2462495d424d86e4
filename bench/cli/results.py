"""``sumbench report``, ``compare``, ``check`` and ``merge``: commands that read results folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from bench.check import CheckError
from bench.check import check as run_check
from bench.cli.errors import fail
from bench.cli.options import (
    BaselineSystemOpt,
    ChartsOpt,
    LevelOpt,
    MetricsOpt,
    ResamplesOpt,
    SeedOpt,
    TestOpt,
    ViewOpt,
    resampling,
)
from bench.cli.view import build_site
from bench.compare import compare_runs, run_notices
from bench.compare import to_json as compare_json
from bench.compare import to_markdown as compare_markdown
from bench.merge import MergeError, merge_runs
from bench.report.build import build_report
from bench.store import Store, StoreError


def report(
    run_dir: Annotated[Path, typer.Argument(help="A results folder written by `sumbench run`.")],
    metrics: MetricsOpt = None,
    charts: ChartsOpt = True,
    ci: Annotated[
        str | None,
        typer.Option("--ci", help="Intervals: pm (±), brackets, none (default: the run's)."),
    ] = None,
    baseline_system: BaselineSystemOpt = None,
    resamples: Annotated[
        int | None, typer.Option(help="Bootstrap resamples (default: the run's).")
    ] = None,
    level: Annotated[
        float | None, typer.Option(help="Confidence level (default: the run's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Resampling seed (default: the run's).")] = None,
    test: Annotated[
        str | None, typer.Option("--test", help="Paired test (default: the run's).")
    ] = None,
    view: ViewOpt = True,
) -> None:
    """Rebuild tables, charts and the results site of a run from its stored rows alone, with
    the table options the run used unless given."""
    store = Store(run_dir)
    try:
        used = store.run_info().get("config", {}).get("report", {})
    except StoreError as error:
        raise fail(str(error)) from None
    chosen = resampling(
        resamples if resamples is not None else used.get("resamples", 1000),
        level if level is not None else used.get("level", 0.95),
        seed if seed is not None else used.get("seed", 0),
        test or used.get("test", "paired-bootstrap"),
    )
    try:
        table = build_report(
            store,
            metrics or used.get("metrics"),
            charts,
            chosen,
            baseline_system or used.get("baseline_system"),
            ci or used.get("ci", "pm"),
        )
    except StoreError as error:
        raise fail(str(error)) from None
    typer.echo(table, nl=False)
    if view:
        build_site(run_dir)


def compare(
    run_a: Annotated[Path, typer.Argument(help="The earlier (reference) run folder.")],
    run_b: Annotated[Path, typer.Argument(help="The later run folder.")],
    metrics: MetricsOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of Markdown.")
    ] = False,
    resamples: ResamplesOpt = 1000,
    level: LevelOpt = 0.95,
    seed: SeedOpt = 0,
    test: TestOpt = "sign-flip",
) -> None:
    """Per system and metric present in both runs: B - A, its interval and p-value (paired)."""
    chosen = resampling(resamples, level, seed, test)
    try:
        old, new = Store(run_a), Store(run_b)
        diffs = compare_runs(old, new, metrics, chosen)
        notices = run_notices(old, f"run A ({run_a})") + run_notices(new, f"run B ({run_b})")
    except StoreError as error:
        raise fail(str(error)) from None
    if not diffs:
        raise fail(f"no system is present in both {run_a} and {run_b}")
    text = (
        compare_json(diffs, chosen, notices)
        if as_json
        else compare_markdown(diffs, chosen, notices)
    )
    typer.echo(text, nl=False)


def check(
    run_dir: Annotated[Path, typer.Argument(help="The run to check.")],
    baseline: Annotated[Path, typer.Option(help="The baseline run folder.")] = Path(
        "results/baseline"
    ),
    margin: Annotated[
        float,
        typer.Option(help="Allowed loss in display units (e.g. ROUGE points) for every metric."),
    ] = 0.0,
    margins: Annotated[
        Path | None,
        typer.Option(help="YAML file: metric name -> margin (overrides --margin per metric)."),
    ] = None,
    metrics: MetricsOpt = None,
    systems: Annotated[
        list[str] | None,
        typer.Option(
            "--systems",
            "-s",
            help="Only gate these systems (repeat); default: all in the baseline.",
        ),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(help="Also write the Markdown report here (e.g. $GITHUB_STEP_SUMMARY)."),
    ] = None,
    resamples: ResamplesOpt = 1000,
    level: LevelOpt = 0.95,
    seed: SeedOpt = 0,
    test: TestOpt = "sign-flip",
) -> None:
    """Regression gate against a baseline run: exit 0 pass, 1 regression, 2 usage/data error."""
    chosen = resampling(resamples, level, seed, test)
    per_metric = _read_margins(margins) if margins else {}
    try:
        result = run_check(
            Store(run_dir), Store(baseline), per_metric, margin, metrics, chosen, systems
        )
    except (StoreError, CheckError) as error:
        raise fail(str(error)) from None
    text = result.to_markdown()
    typer.echo(text, nl=False)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(text)
    raise typer.Exit(result.exit_code())


def _read_margins(path: Path) -> dict[str, float]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise fail(f"{path}: cannot read margins ({error})") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()
    ):
        raise fail(f"{path}: expected a mapping of metric name to margin, e.g. `rouge2_f: 0.5`")
    return {str(k): float(v) for k, v in data.items()}


def merge(
    runs: Annotated[list[Path], typer.Argument(help="Results folders of the shards.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The merged results folder (new).")],
    charts: ChartsOpt = True,
) -> None:
    """Combine sharded runs into one results folder and print its table."""
    try:
        merge_runs([Store(r) for r in runs], Store(out_dir))
        table = build_report(Store(out_dir), charts=charts)
    except (MergeError, StoreError) as error:
        raise fail(str(error)) from None
    typer.echo(table, nl=False)
