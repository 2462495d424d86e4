"""The ``sumbench`` command line: a thin layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.adapters import adapters
from bench.analysis import Resampling
from bench.cache import GenerationCache, default_cache_dir
from bench.check import check as run_check
from bench.compare import compare_runs
from bench.compare import to_json as compare_json
from bench.compare import to_markdown as compare_markdown
from bench.config import RunConfig, load_config
from bench.merge import MergeError, merge_runs
from bench.meta_cli import calibrate_command, meta_command
from bench.registry import Registry, UnknownNameError
from bench.report.build import build_report
from bench.runner import (
    DEFAULT_SCORERS,
    DEFAULT_SYSTEMS,
    Notes,
    Run,
    RunError,
    build_scorers,
    build_systems,
)
from bench.sampling import select
from bench.scorers import scorers
from bench.scorers.rouge_engine.parallel import cpu_count
from bench.store import Store, StoreError
from bench.task import KeyFact, Reference, Task, TaskError, TaskFile, check_tasks, load_tasks
from bench.tasksets import is_task_folder, open_tasks
from bench.tasksets_cli import (
    BudgetOpt,
    CleanOpt,
    InstructionsOpt,
    LanguageOpt,
    MapOpt,
    PresetOpt,
    SeparatorOpt,
    export_command,
    presets_command,
    table_options,
)

app = typer.Typer(
    help="Evaluate summarizers: run benchmarks, score outputs, build reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tasks_app = typer.Typer(help="Inspect and validate tasks.", no_args_is_help=True)
systems_app = typer.Typer(help="Summarizer adapters.", no_args_is_help=True)
scorers_app = typer.Typer(help="Scorers.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
app.command("meta")(meta_command)
tasks_app.command("export")(export_command)
tasks_app.command("presets")(presets_command)
app.command("calibrate")(calibrate_command)
app.add_typer(systems_app, name="systems")
app.add_typer(scorers_app, name="scorers")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

TasksOpt = Annotated[
    Path, typer.Option("--tasks", help="Task file, task folder or folder of tasks.")
]
RefsOpt = Annotated[
    Path | None,
    typer.Option(
        "--references", help="References folder (default: references/ beside the tasks folder)."
    ),
]


ResamplesOpt = Annotated[int, typer.Option(help="Bootstrap resamples for intervals and tests.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the resampling (recorded in the signature).")]
LevelOpt = Annotated[
    float, typer.Option(help="Confidence level of intervals; tests use 1 - level.")
]
TestOpt = Annotated[
    str, typer.Option("--test", help="Paired test: paired-bootstrap or approximate-randomization.")
]
CiOpt = Annotated[str, typer.Option("--ci", help="Intervals in tables: pm (±), brackets, none.")]
BaselineSystemOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline-system", help="Mark systems significantly different from this one with †."
    ),
]
MetricsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--metrics", help="Metric names (columns); repeat. Default: the scorers' main metrics."
    ),
]


def _resampling(resamples: int, level: float, seed: int, test: str) -> Resampling:
    try:
        return Resampling(resamples=resamples, level=level, seed=seed, method=test)
    except ValueError as error:
        raise _fail(str(error)) from None


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def _load(tasks: Path, references: Path | None) -> list:  # type: ignore[type-arg]
    try:
        return load_tasks(tasks, references)
    except TaskError as error:
        for problem in error.problems:
            err.print(f"[red]{escape(str(problem))}[/]", highlight=False)
        raise _fail(
            f"{len(error.problems)} problem(s) in {tasks}; see `sumbench tasks validate {tasks}`"
        ) from None


def _print_some(label: str, lines: Notes, folder: Path, most: int = 10) -> None:
    """The first ``most`` lines, then how many more are in problems.jsonl."""
    for line in lines[:most]:
        err.print(f"{label} {escape(line)}", highlight=False)
    if lines.total > most:
        err.print(
            f"{label} ... and {lines.total - most} more in {folder / 'problems.jsonl'}",
            highlight=False,
        )


def _open(
    source: str,
    references: Path | None,
    options: dict[str, Any],
    preset_source: str | None,
    online: bool,
    limit: int | None,
    sample: int | None,
    seed: int,
    shard: str | None,
) -> tuple[Iterable[Task], int | None]:
    """Tasks of any source, selected; a folder loads (and validates) at once, tables stream."""
    if preset_source and source == "tasks":
        source = preset_source
    try:
        table = open_tasks(source, references=references, online=online, **options)
        selected = select(table, limit=limit, sample=sample, seed=seed, shard=shard)
    except TaskError as error:
        for problem in error.problems:
            err.print(f"[red]{escape(str(problem))}[/]", highlight=False)
        hint = f"; see `sumbench tasks validate {source}`" if is_task_folder(source) else ""
        raise _fail(f"{len(error.problems)} problem(s) in {source}{hint}") from None
    except ValueError as error:
        raise _fail(str(error)) from None
    if is_task_folder(source):
        items = list(selected)
        return items, len(items)
    expected = table.num_rows
    for bound in (limit, sample):
        if expected is not None and bound is not None:
            expected = min(expected, bound)
    return selected, None if shard else expected


def _warn_unknown_ids(systems: list[Any], task_ids: set[str], selected: bool) -> None:
    """Warn about ids in a ``precomputed`` file that no task of the run has (typos, or outputs
    of another task set): they are ignored, never scored."""
    for system in systems:
        listed = getattr(system.adapter, "task_ids", None)
        if not callable(listed):
            continue
        extra = sorted(set(listed()) - task_ids)
        if extra:
            where = "the tasks selected for this run" if selected else "the task set"
            err.print(
                f"[yellow]warning:[/] {system.name}: the outputs file has {len(extra)} task "
                f"id(s) not in {where}, ignored: {', '.join(extra[:10])}"
                f"{' ...' if len(extra) > 10 else ''}",
                highlight=False,
            )


def _same_selection(store: Store, selection: dict[str, Any]) -> None:
    """Refuse to resume a folder with another selection of tasks (sample, shard, mapping...):
    the two sets of tasks would mix in one table."""
    if not (Path(store.root) / "run.json").is_file():
        return
    try:
        previous = dict(store.run_info().get("config", {}).get("selection") or {})
    except StoreError as error:
        raise _fail(str(error)) from None
    if not previous:
        return
    if "seed" in previous:  # before --sample-seed, --seed also seeded the sample
        previous["sample_seed"] = previous.pop("seed")
    changed = [
        f"{key} {previous.get(key)!r} -> {value!r}"
        for key, value in selection.items()
        if previous.get(key, None if key != "clean" else False) != value
    ]
    if changed:
        raise _fail(
            f"{store.root} was run with another selection of tasks ({'; '.join(changed)}); "
            "resume with the same options or write to a new --out folder"
        )


AUTO_PARALLEL_ITEMS = 500
"""Items (tasks x systems) from which ``--score-workers auto`` scores in every core: below,
starting the processes (each imports and builds its scorers) costs more than it saves."""


AUTO_MIN_CORES = 4
"""``--score-workers auto`` scores in-process below this many cores: on 2 cores the calling
process (reading tasks, storing rows) and two scoring processes share the machine and the run
measured no faster (``benchmarks/score_workers.py``: 1.04x)."""


def _score_workers(
    value: str, tasks: int | None, systems: int, light: bool = True, cores: int | None = None
) -> int:
    """``--score-workers``: a positive number, or ``auto`` (one process per core but the
    calling one's, for a large run on 4+ cores whose scorers hold no model that each process
    would load)."""
    if value.strip().lower() == "auto":
        cores = cpu_count() if cores is None else cores
        large = tasks is None or tasks * systems >= AUTO_PARALLEL_ITEMS
        return cores - 1 if large and light and cores >= AUTO_MIN_CORES else 1
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise _fail(f"--score-workers must be a positive number or auto, got {value!r}")
    return workers


@app.command()
def run(
    tasks: Annotated[
        str | None,
        typer.Option(
            "--tasks",
            help="Task folder (default: tasks), FILE.jsonl/.parquet/.csv, a save_to_disk "
            "folder or hf:NAME[:CONFIG]:SPLIT.",
        ),
    ] = None,
    preset: PresetOpt = None,
    mapping: MapOpt = None,
    separator: SeparatorOpt = None,
    budget: BudgetOpt = None,
    instructions: InstructionsOpt = None,
    clean: CleanOpt = False,
    language: LanguageOpt = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
    sample: Annotated[
        int | None,
        typer.Option(help="A sample of N tasks, the same on every machine for a --sample-seed."),
    ] = None,
    sample_seed: Annotated[
        int, typer.Option(help="Seed of --sample (the resampling has its own --seed).")
    ] = 0,
    shard: Annotated[
        str | None,
        typer.Option(
            help="I/N: only shard I of N (disjoint, covering); merge with `sumbench merge`."
        ),
    ] = None,
    online: Annotated[bool, typer.Option(help="Allow downloading datasets from the hub.")] = False,
    references: RefsOpt = None,
    systems: Annotated[
        list[str] | None,
        typer.Option("--systems", "-s", help="NAME[:key=value,...]; repeat for several systems."),
    ] = None,
    scorer_specs: Annotated[
        list[str] | None,
        typer.Option("--scorers", help="NAME[:key=value,...]; repeat for several scorers."),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="YAML file with tasks, systems, scorers (options override it)."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Results folder (default results/<timestamp>); an existing one is resumed.",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache", help="Generation cache folder (default: ~/.cache/sumbench/generations)."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the generation cache.")
    ] = False,
    allow_failures: Annotated[
        bool, typer.Option("--allow-failures", help="Exit 0 even when some items failed.")
    ] = False,
    score_workers: Annotated[
        str,
        typer.Option(
            help="Processes that score: a number, or auto (on 4+ cores, one per core but one "
            f"for runs of {AUTO_PARALLEL_ITEMS}+ items with light scorers; else 1: in-process)."
        ),
    ] = "auto",
    metrics: MetricsOpt = None,
    charts: Annotated[bool, typer.Option(help="Write charts/ PNG files.")] = True,
    ci: CiOpt = "pm",
    baseline_system: BaselineSystemOpt = None,
    resamples: ResamplesOpt = 1000,
    level: LevelOpt = 0.95,
    seed: SeedOpt = 0,
    test: TestOpt = "paired-bootstrap",
) -> None:
    """Summarize every task with every system, score, store and print the results table."""
    resampling = _resampling(resamples, level, seed, test)
    try:
        config = load_config(config_file) if config_file else RunConfig()
    except TaskError as error:
        for problem in error.problems:
            err.print(f"[red]{escape(str(problem))}[/]", highlight=False)
        raise _fail(f"invalid config {config_file}") from None
    task_path = tasks or config.tasks
    ref_path = references or (Path(config.references) if config.references else None)
    try:
        options, preset_source = table_options(
            preset, mapping, separator, budget, instructions, clean, language
        )
    except ValueError as error:
        raise _fail(str(error)) from None
    loaded, expected = _open(
        task_path, ref_path, options, preset_source, online, limit, sample, sample_seed, shard
    )
    system_specs: list[Any] = list(systems or config.systems or DEFAULT_SYSTEMS)
    scorer_list: list[Any] = list(scorer_specs or config.scorers or DEFAULT_SCORERS)
    try:
        built_systems = build_systems(system_specs)
        built_scorers = build_scorers(scorer_list)
    except (RunError, UnknownNameError) as error:
        raise _fail(str(error)) from None
    chosen = metrics or config.metrics
    known = {m.name for setup in built_scorers for m in setup.scorer.metrics()}
    unknown = [m for m in chosen or [] if m not in known]
    if unknown:
        raise _fail(f"unknown metric(s) {unknown}; these scorers give: {', '.join(sorted(known))}")
    selected = any(v is not None for v in (limit, sample, shard))
    if isinstance(loaded, list):  # a streamed table is checked once the run has seen it
        _warn_unknown_ids(built_systems, {t.id for t in loaded}, selected)
    folder = (
        out_dir
        or (Path(config.out) if config.out else None)
        or Path("results") / (dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    )
    if folder.exists() and not folder.is_dir():
        raise _fail(f"--out {folder} is a file; expected a results folder")
    cache = None
    if not no_cache and config.cache is not False:
        where = cache_dir or (Path(config.cache) if isinstance(config.cache, str) else None)
        cache = GenerationCache(where or default_cache_dir())
    store = Store(folder)
    recorded: dict[str, Any] = {
        "tasks": str(task_path),
        "selection": {
            "preset": preset,
            "map": mapping,
            "separator": separator,
            "budget": budget,
            "instructions": instructions,
            "clean": clean,
            "language": language,
            "limit": limit,
            "sample": sample,
            "sample_seed": sample_seed if sample is not None else None,
            "shard": shard,
        },
        "references": str(ref_path) if ref_path else None,
        "systems": [s if isinstance(s, str) else s.model_dump() for s in system_specs],
        "scorers": [s if isinstance(s, str) else s.model_dump() for s in scorer_list],
        "config_file": str(config_file) if config_file else None,
        "cache": str(cache.root) if cache else None,
        "argv": sys.argv[1:],
        "report": {
            "metrics": chosen,
            "ci": ci,
            "baseline_system": baseline_system or config.baseline_system,
            "resamples": resamples,
            "level": level,
            "seed": seed,
            "test": test,
        },
    }
    _same_selection(store, recorded["selection"])
    light = all(getattr(setup.scorer, "light", True) for setup in built_scorers)
    workers = _score_workers(score_workers, expected, len(built_systems), light)
    recorded["score_workers"] = workers
    job = Run(loaded, built_systems, built_scorers, store, recorded, cache, workers)
    err.print(
        f"{expected if expected is not None else 'streamed'} task(s) x "
        f"{len(built_systems)} system(s) x "
        f"{len(built_scorers)} scorer(s) -> {folder}",
        highlight=False,
    )
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
                s.name: bar.add_task(s.name, total=expected, counts="") for s in built_systems
            }
            counts = {s.name: Counter[str]() for s in built_systems}

            def step(system: str, status: str) -> None:
                counts[system][status] += 1
                shown = ", ".join(f"{n} {k}" for k, n in sorted(counts[system].items()))
                bar.update(handles[system], advance=1, counts=shown)

            stats = job.execute(step)
        if not isinstance(loaded, list):
            _warn_unknown_ids(built_systems, set(store.listed_tasks()), selected)
    except RunError as error:
        raise _fail(str(error)) from None
    except TaskError as error:  # a bad row met while streaming a table
        for problem in error.problems:
            err.print(f"[red]{escape(str(problem))}[/]", highlight=False)
        raise _fail(f"stopped at a bad task; everything before it is in {folder}") from None
    except KeyboardInterrupt:
        err.print(
            f"[yellow]interrupted[/]: everything computed so far is in {folder}; "
            f"run again with --out {folder} to resume",
            highlight=False,
        )
        raise typer.Exit(130) from None
    _print_some("[bold yellow]warning:[/]", stats.warnings, folder)
    _print_some("[yellow]not scored:[/]", stats.skipped, folder)
    try:
        table = build_report(
            store,
            chosen,
            charts,
            resampling,
            baseline_system or config.baseline_system,
            ci,
        )
    except StoreError as error:
        raise _fail(str(error)) from None
    typer.echo(table, nl=False)
    _print_some("[red]failed:[/]", stats.errors, folder)
    err.print(
        f"generated {stats.generated}, cached {stats.cached}, reused {stats.reused}, "
        f"scored {stats.scored}, failed {stats.errors.total}; results in {folder}",
        highlight=False,
    )
    if stats.errors and not allow_failures:
        raise typer.Exit(1)


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A results folder written by `sumbench run`.")],
    metrics: MetricsOpt = None,
    charts: Annotated[bool, typer.Option(help="Write charts/ PNG files.")] = True,
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
) -> None:
    """Rebuild tables and charts of a run from its stored rows alone, with the table options
    the run used unless given."""
    store = Store(run_dir)
    try:
        used = store.run_info().get("config", {}).get("report", {})
    except StoreError as error:
        raise _fail(str(error)) from None
    resampling = _resampling(
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
            resampling,
            baseline_system or used.get("baseline_system"),
            ci or used.get("ci", "pm"),
        )
    except StoreError as error:
        raise _fail(str(error)) from None
    typer.echo(table, nl=False)


@app.command()
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
    test: TestOpt = "paired-bootstrap",
) -> None:
    """Per system and metric present in both runs: B - A, its interval and p-value (paired)."""
    resampling = _resampling(resamples, level, seed, test)
    try:
        diffs = compare_runs(Store(run_a), Store(run_b), metrics, resampling)
    except StoreError as error:
        raise _fail(str(error)) from None
    if not diffs:
        raise _fail(f"no system is present in both {run_a} and {run_b}")
    text = compare_json(diffs, resampling) if as_json else compare_markdown(diffs, resampling)
    typer.echo(text, nl=False)


@app.command()
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
    test: TestOpt = "paired-bootstrap",
) -> None:
    """Regression gate against a baseline run: exit 0 pass, 1 regression, 2 usage/data error."""
    resampling = _resampling(resamples, level, seed, test)
    per_metric = _read_margins(margins) if margins else {}
    try:
        result = run_check(
            Store(run_dir), Store(baseline), per_metric, margin, metrics, resampling, systems
        )
    except StoreError as error:
        raise _fail(str(error)) from None
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
        raise _fail(f"{path}: cannot read margins ({error})") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()
    ):
        raise _fail(f"{path}: expected a mapping of metric name to margin, e.g. `rouge2_f: 0.5`")
    return {str(k): float(v) for k, v in data.items()}


@app.command()
def merge(
    runs: Annotated[list[Path], typer.Argument(help="Results folders of the shards.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The merged results folder (new).")],
    charts: Annotated[bool, typer.Option(help="Write charts/ PNG files.")] = True,
) -> None:
    """Combine sharded runs into one results folder and print its table."""
    try:
        merge_runs([Store(r) for r in runs], Store(out_dir))
        table = build_report(Store(out_dir), charts=charts)
    except (MergeError, StoreError) as error:
        raise _fail(str(error)) from None
    typer.echo(table, nl=False)


@tasks_app.command("validate")
def tasks_validate(
    path: Annotated[Path, typer.Argument(help="Task file or folder.")] = Path("tasks"),
    references: RefsOpt = None,
) -> None:
    """Report every problem with file, field and what was expected; exit 1 on errors."""
    found, problems = check_tasks(path, references)
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err.print(f"[{colour}]{problem}[/]", highlight=False)
    errors = sum(p.severity == "error" for p in problems)
    err.print(
        f"{len(found)} valid task(s), {errors} error(s), {len(problems) - errors} warning(s)",
        highlight=False,
    )
    if errors:
        raise typer.Exit(1)


@tasks_app.command("list")
def tasks_list(tasks: TasksOpt = Path("tasks"), references: RefsOpt = None) -> None:
    """One line per task: id, documents, references, key facts, budget, title."""
    for task in _load(tasks, references):
        typer.echo(
            f"{task.id}\t{len(task.documents)} doc(s)\t{len(task.references)} ref(s)\t"
            f"{len(task.keyfacts)} fact(s)\t{task.budget} words\t{task.title}"
        )


@tasks_app.command("show")
def tasks_show(
    task_id: Annotated[str, typer.Argument(help="Task id.")],
    tasks: TasksOpt = Path("tasks"),
    references: RefsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the task as JSON.")] = False,
) -> None:
    """Show a task's cleaned documents with content hashes (references are not shown)."""
    match = [t for t in _load(tasks, references) if t.id == task_id]
    if not match:
        raise _fail(f"no task {task_id!r} in {tasks}")
    task = match[0]
    if as_json:
        data = task.model_dump(exclude={"references", "keyfacts"})
        for doc, dumped in zip(task.documents, data["documents"], strict=True):
            dumped["hash"] = doc.content_hash
        out.print_json(json.dumps(data))
        return
    out.print(
        f"# {task.id}: {task.title}\nlanguage {task.language}, budget {task.budget} words, "
        f"{len(task.references)} reference(s), {len(task.keyfacts)} key fact(s)\n"
        f"instructions: {task.instructions}",
        markup=False,
        highlight=False,
    )
    for doc in task.documents:
        head = " | ".join(x for x in (doc.title, doc.outlet, doc.date, doc.url) if x)
        out.print(
            f"\n## {doc.id}  sha256:{doc.content_hash}  {head}", markup=False, highlight=False
        )
        if doc.metadata.get("removed"):
            out.print(f"cleaning removed: {doc.metadata['removed']}", markup=False, highlight=False)
        if doc.sections:
            out.print(f"{len(doc.sections)} timestamped entries", markup=False, highlight=False)
        out.print(doc.text, markup=False, highlight=False)


@tasks_app.command("schema")
def tasks_schema(
    which: Annotated[str, typer.Argument(help="task | reference | keyfact")] = "task",
) -> None:
    """Print the JSON Schema of task.yaml (or of a reference / key fact entry)."""
    models: dict[str, type[BaseModel]] = {
        "task": TaskFile,
        "reference": Reference,
        "keyfact": KeyFact,
    }
    if which not in models:
        raise _fail(f"unknown schema {which!r}; choose one of {', '.join(models)}")
    out.print_json(json.dumps(models[which].model_json_schema()))


def _list_registry(registry: Registry[Any]) -> None:
    for entry in registry.entries():
        params = ", ".join(f"{k}={v}" for k, v in entry.parameters().items()) or "-"
        typer.echo(f"{entry.name}\t{entry.origin}\t{params}\t{entry.summary()}")
    for name, reason in registry.broken().items():
        typer.echo(f"{name}\tbroken\t-\t{reason}")


@systems_app.command("list")
def systems_list() -> None:
    """Every available adapter: name, origin, parameters, description."""
    _list_registry(adapters)


@scorers_app.command("list")
def scorers_list() -> None:
    """Every available scorer: name, origin, parameters, description."""
    _list_registry(scorers)


if __name__ == "__main__":
    app()
