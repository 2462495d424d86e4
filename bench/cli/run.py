"""``sumbench run``: plan the run, execute it behind a progress bar, print its table."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.cli.dry_run import dry_run_table
from bench.cli.errors import err, fail, fail_run, print_problems
from bench.cli.options import (
    BaselineSystemOpt,
    BudgetOpt,
    ChartsOpt,
    CiOpt,
    CleanOpt,
    InstructionsOpt,
    LanguageOpt,
    LevelOpt,
    LimitOpt,
    MapOpt,
    MaxDocumentOpt,
    MetricsOpt,
    PresetOpt,
    RefsOpt,
    ResamplesOpt,
    SeedOpt,
    SeparatorOpt,
    TestOpt,
    ViewOpt,
)
from bench.cli.view import build_site
from bench.inputs import MAX_DOCUMENT_BYTES
from bench.report.build import build_report
from bench.run import (
    AUTO_FEW_CORES_ITEMS,
    AUTO_PARALLEL_ITEMS,
    Notes,
    Run,
    RunError,
    RunOptions,
    RunStats,
    Terminated,
    plan_run,
)
from bench.run.options import DEFAULT_SCORE_DEADLINE
from bench.store import StoreError
from bench.task import TaskError

SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--tasks",
        help="Task folder (default: tasks), FILE.jsonl/.parquet/.csv (a path or a URL fsspec "
        "reads), a save_to_disk folder or hf:NAME[:CONFIG]:SPLIT.",
    ),
]
SampleOpt = Annotated[
    int | None,
    typer.Option(help="A sample of N tasks, the same on every machine for a --sample-seed."),
]
SampleSeedOpt = Annotated[
    int, typer.Option(help="Seed of --sample (the resampling has its own --seed).")
]
ShardOpt = Annotated[
    str | None,
    typer.Option(help="I/N: only shard I of N (disjoint, covering); merge with `sumbench merge`."),
]
OnlineOpt = Annotated[bool, typer.Option(help="Allow downloading datasets from the hub.")]
SystemsOpt = Annotated[
    list[str] | None,
    typer.Option("--systems", "-s", help="NAME[:key=value,...]; repeat for several systems."),
]
ScorersOpt = Annotated[
    list[str] | None,
    typer.Option("--scorers", help="NAME[:key=value,...]; repeat for several scorers."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="YAML file with tasks, systems, scorers (options override it)."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Results folder (default results/<timestamp>): new or empty, or a results folder "
        "(with run.json) to resume.",
    ),
]
CacheOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache", help="Generation cache folder (default: ~/.cache/sumbench/generations)."
    ),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the generation cache.")
]
AllowFailuresOpt = Annotated[
    bool, typer.Option("--allow-failures", help="Exit 0 even when some items failed.")
]
ScoreDeadlineOpt = Annotated[
    float,
    typer.Option(
        "--score-deadline",
        metavar="SECONDS",
        help="Seconds one scorer may take on one item; past it the item is recorded as a "
        "timeout problem (problems.jsonl) and the run goes on. 0: no deadline.",
    ),
]
ScoreWorkersOpt = Annotated[
    str,
    typer.Option(
        help="Processes that score: a number, or auto (for runs with light scorers: one per "
        f"core but one on 4+ cores from {AUTO_PARALLEL_ITEMS} items, one per core on 2-3 cores "
        f"from {AUTO_FEW_CORES_ITEMS}; else 1: in-process)."
    ),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        help="Where items are generated and scored: local, or ray / ray:ADDRESS (a Ray cluster: "
        "ray:auto, ray:HOST:PORT, ray:ray://HOST:10001; pip install 'sumbench[ray]')."
    ),
]
PricesOpt = Annotated[
    Path | None,
    typer.Option(
        help="Price table (YAML; dollars per million tokens per model): a Cost $ column, and "
        "run.json records the spending."
    ),
]
MaxCostOpt = Annotated[
    float | None,
    typer.Option(
        help="Dollars: stop sending requests once this run spent this much (needs --prices; "
        "requests already started finish and count, so the spend can pass it by up to one "
        "batch per concurrent request); the items left are recorded as not run and a resume "
        "does them."
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Estimate each system's tokens (and cost, with --prices) and exit; no request.",
    ),
]


def run(  # named as RunOptions' fields, but for charts, view and allow_failures
    tasks: SourceOpt = None,
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    limit: LimitOpt = None,
    sample: SampleOpt = None,
    sample_seed: SampleSeedOpt = 0,
    shard: ShardOpt = None,
    online: OnlineOpt = False,
    max_document_mb: MaxDocumentOpt = MAX_DOCUMENT_BYTES / 1e6,
    references: RefsOpt = None,
    systems: SystemsOpt = None,
    scorers: ScorersOpt = None,
    config_file: ConfigOpt = None,
    out: OutOpt = None,
    cache_dir: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    allow_failures: AllowFailuresOpt = False,
    score_workers: ScoreWorkersOpt = "auto",
    score_deadline: ScoreDeadlineOpt = DEFAULT_SCORE_DEADLINE,
    metrics: MetricsOpt = None,
    charts: ChartsOpt = True,
    ci: CiOpt = "pm",
    baseline_system: BaselineSystemOpt = None,
    resamples: ResamplesOpt = 1000,
    level: LevelOpt = 0.95,
    seed: SeedOpt = 0,
    test: TestOpt = "sign-flip",
    view: ViewOpt = True,
    executor: ExecutorOpt = "local",
    prices: PricesOpt = None,
    max_cost: MaxCostOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Summarize every task with every system, score, store and print the results table
    (and build the results site, view/)."""
    given = locals()
    options = RunOptions(
        **{f.name: given[f.name] for f in fields(RunOptions) if f.name in given},
        argv=sys.argv[1:],
    )
    try:
        job = plan_run(options)
    except RunError as error:
        raise fail_run(error) from None
    folder = job.store.root
    for warning in job.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if dry_run:
        typer.echo(dry_run_table(job), nl=False)
        return
    err.print(
        f"{job.expected if job.expected is not None else 'streamed'} task(s) x "
        f"{len(job.systems)} system(s) x {len(job.scorers)} scorer(s) -> {folder}",
        highlight=False,
    )
    stats = _execute(job)
    if stats.tasks == 0 and shard is not None:
        # Shards split by a hash of the task ids: a small set can leave one empty. Its empty
        # run is a valid part of the whole (merge takes it), so a CI matrix job passes.
        err.print(
            f"[yellow]warning:[/] shard {shard} holds none of the selected tasks (shards split "
            f"by a hash of the task ids, so a small set can leave one empty; if every shard "
            f"says so, the selection itself is empty); {folder} holds an empty run, which "
            "`sumbench merge` takes with the other shards",
            highlight=False,
        )
        return
    if stats.tasks == 0:
        raise fail(
            f"the task selection holds no task; nothing was run; {folder} holds an empty run"
        )
    _print_some("[bold yellow]warning:[/]", stats.warnings, folder)
    _print_some("[yellow]not scored:[/]", stats.skipped, folder)
    try:
        table = build_report(
            job.store,
            job.report.metrics,
            charts,
            job.report.resampling,
            job.report.baseline_system,
            job.report.ci,
        )
    except StoreError as error:
        raise fail(str(error)) from None
    typer.echo(table, nl=False)
    if view:  # a folder's tasks are in memory already; a table is read again
        from bench.report.view import ViewOptions

        loaded = job.tasks if isinstance(job.tasks, list) else None
        build_site(folder, options=ViewOptions(loaded=loaded), required=False)
    _finish(job, stats, allow_failures)


def _finish(job: Run, stats: RunStats, allow_failures: bool) -> None:
    """Say what failed, was not run and was spent, and exit with the run's code."""
    folder = job.store.root
    _print_some("[red]failed:[/]", stats.errors, folder)
    _print_some("[yellow]not run:[/]", stats.not_run, folder, most=3)
    if job.spending is not None:
        err.print(f"spent ${job.spending.spent:.4f} on requests in this run", highlight=False)
    err.print(
        f"generated {stats.generated}, cached {stats.cached}, reused {stats.reused}, "
        f"scored {stats.scored}, failed {stats.errors.total}; results in {folder}",
        highlight=False,
    )
    if stats.errors and not allow_failures:
        raise typer.Exit(1)
    if stats.not_run.total:
        err.print(
            f"[yellow]stopped at --max-cost[/]: {stats.not_run.total} item(s) not run; "
            f"run again with --out {folder} (and a higher --max-cost) to do them",
            highlight=False,
        )
        raise typer.Exit(3)


def _execute(job: Run) -> RunStats:
    """Execute the run with a progress bar per system; Ctrl-C exits 130 keeping the work."""
    folder = job.store.root
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            handles = {
                s.name: bar.add_task(s.name, total=job.expected, counts="") for s in job.systems
            }
            counts = {s.name: Counter[str]() for s in job.systems}

            def step(system: str, status: str) -> None:
                counts[system][status] += 1
                shown = ", ".join(f"{n} {k}" for k, n in sorted(counts[system].items()))
                bar.update(handles[system], advance=1, counts=shown)

            stats = job.execute(step)
        for warning in job.unknown_id_warnings():
            err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    except RunError as error:
        raise fail_run(error) from None
    except TaskError as error:  # a bad row met while streaming a table
        print_problems(error.problems)
        raise fail(f"stopped at a bad task; everything before it is in {folder}") from None
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated)
        err.print(
            f"[yellow]interrupted[/]: everything computed so far is in {escape(str(folder))}; "
            f"run again with --out {escape(str(folder))} to resume",
            highlight=False,
        )
        raise typer.Exit(143 if isinstance(stop, Terminated) else 130) from None
    return stats


def _print_some(label: str, lines: Notes, folder: Path, most: int = 10) -> None:
    """The first ``most`` lines, then how many more are in problems.jsonl."""
    for line in lines[:most]:
        err.print(f"{label} {escape(line)}", highlight=False)
    if lines.total > most:
        err.print(
            f"{label} ... and {lines.total - most} more in {folder / 'problems.jsonl'}",
            highlight=False,
        )
