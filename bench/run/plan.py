"""Options -> a :class:`Run` ready to execute: everything ``sumbench run`` decides before the
first item (config file, tasks, systems, scorers, folder, cache, resume checks, workers).

The command line, :mod:`bench.testing` and library users build their runs with
:func:`plan_run`, so a run planned anywhere is the run the command line would make.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bench.analysis import Resampling
from bench.cache import GenerationCache, default_cache_dir
from bench.prices import PriceError, load_prices
from bench.registry import UnknownNameError
from bench.report.tables import CI_STYLES
from bench.run.config import RunConfig, ScorerEntry, load_config
from bench.run.cost import Spending, check_priced
from bench.run.errors import RunError
from bench.run.executors import parse_executor
from bench.run.loop import Run
from bench.run.options import ReportOptions, RunOptions
from bench.run.provenance import check_selection
from bench.run.selection import open_selection
from bench.run.systems import (
    DEFAULT_SCORERS,
    DEFAULT_SYSTEMS,
    ScorerSetup,
    System,
    build_scorers,
    build_systems,
    unknown_id_warnings,
)
from bench.scorers.rouge_engine.parallel import cpu_count
from bench.store import Store, StoreError
from bench.task import TaskError
from bench.tasksets.sources import rows_up_to

AUTO_PARALLEL_ITEMS = 500
"""Items (tasks x systems) from which ``--score-workers auto`` scores in every core but one on
:data:`AUTO_SPARE_CORE_FROM`+ cores: below, starting the processes (each imports and builds its
scorers) costs more than it saves."""


AUTO_SPARE_CORE_FROM = 4
"""``--score-workers auto`` leaves a core to the calling process (reading tasks, storing rows)
from this many cores up; below, it starts one scoring process per core (2 on 2 cores, where the
calling process shares them: items go in batches, so it wakes once per batch) for runs of
:data:`AUTO_FEW_CORES_ITEMS` items or more."""

AUTO_FEW_CORES_ITEMS = 5000
"""Items from which ``--score-workers auto`` starts scoring processes below
:data:`AUTO_SPARE_CORE_FROM` cores. ``benchmarks/run_speed.py`` (rouge, keyfacts, stats) on 2
cores, 2 processes against in-process: 0.91x at 2,000 items (their start-up outweighs), 1.09x at
5,000, 1.18x at 10,000."""


def auto_items(cores: int) -> int:
    """Items (tasks x systems) from which ``--score-workers auto`` starts scoring processes."""
    return AUTO_PARALLEL_ITEMS if cores >= AUTO_SPARE_CORE_FROM else AUTO_FEW_CORES_ITEMS


def plan_run(options: RunOptions) -> Run:
    """Merge ``options`` over their config file, open and select the tasks, build systems and
    scorers, choose the folder, cache and score workers and check a resumed folder; raises
    :class:`RunError` (with every problem of a bad task set or config file)."""
    resampling = _resampling(options)
    if options.ci not in CI_STYLES:
        raise RunError(
            f"--ci: unknown interval style {options.ci!r}; choose one of {', '.join(CI_STYLES)}"
        )
    config = _config(options.config_file)
    source = options.tasks or config.tasks
    references = options.references or (Path(config.references) if config.references else None)
    share = parse_executor(options.executor)[0] == "ray"
    tasks, expected, selection_warnings, shared = open_selection(options, source, references, share)
    system_specs = _specs(options.systems, config.systems, DEFAULT_SYSTEMS)
    scorer_specs = _specs(options.scorers, config.scorers, DEFAULT_SCORERS)
    try:
        systems = build_systems(system_specs)
        setups = build_scorers(scorer_specs)
    except UnknownNameError as error:
        raise RunError(str(error)) from None
    report = ReportOptions(
        options.metrics or config.metrics,
        options.ci,
        options.baseline_system or config.baseline_system,
        resampling,
    )
    folder = (
        options.out
        or (Path(config.out) if config.out else None)
        or Path("results") / (dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    )
    _check_baseline(report.baseline_system, systems, options, _stored_systems(folder))
    spending = _spending(options, config, systems, setups)
    _check_metrics(report.metrics, setups)
    selected = any(v is not None for v in (options.limit, options.sample, options.shard))
    warnings = list(selection_warnings)
    if isinstance(tasks, list):  # a streamed table is checked once the run has seen it
        warnings += unknown_id_warnings(systems, {t.id for t in tasks}, selected)
    _check_folder(folder)
    cache = _cache(options, config)
    store = Store(folder)
    recorded: dict[str, Any] = {
        "tasks": str(source),
        "selection": options.selection(),
        "references": str(references) if references else None,
        "systems": [_recorded(s) for s in system_specs],
        "scorers": [_recorded(s) for s in scorer_specs],
        "config_file": str(options.config_file) if options.config_file else None,
        "cache": str(cache.root) if cache else None,
        "argv": list(options.argv),
        "report": report.recorded(),
        "executor": options.executor,
        "prices": spending.prices.path if spending else None,
        "max_cost": options.max_cost,
    }
    check_selection(store, recorded["selection"])
    light = all(getattr(setup.scorer, "light", True) for setup in setups)
    size, cores = expected, cpu_count()
    if _auto(options.score_workers) and light and size is None and not options.shard:
        # a streamed table of unknown size: enough rows for auto's processes? (reads at most
        # that many rows; a small table would pay the processes' start-up for nothing)
        wanted = -(-auto_items(cores) // max(len(systems), 1))
        bounds = [b for b in (options.limit, options.sample) if b is not None]
        counted = rows_up_to(str(source), min([wanted, *bounds]))
        size = counted if counted is not None and counted < wanted else None
    workers = score_workers(options.score_workers, size, len(systems), light, cores)
    recorded["score_workers"] = workers
    recorded["score_deadline"] = options.score_deadline or None
    return Run(
        tasks,
        systems,
        setups,
        store,
        config=recorded,
        cache=cache,
        score_workers=workers,
        score_deadline=options.score_deadline or None,
        expected=expected,
        selected=selected,
        warnings=warnings,
        report=report,
        executor=options.executor,
        spending=spending,
        shared_table=shared,
    )


def _spending(
    options: RunOptions, config: RunConfig, systems: list[System], setups: list[ScorerSetup]
) -> Spending | None:
    """With a price table: the spending of the run (and its limit), and the ``cost`` scorer
    added to ``setups`` unless one is there."""
    path = options.prices or (Path(config.prices) if config.prices else None)
    if path is None:
        if options.max_cost is not None:
            raise RunError("--max-cost needs --prices FILE: the prices that turn tokens into $")
        return None
    try:
        prices = load_prices(path)
    except PriceError as error:
        raise RunError(str(error)) from None
    check_priced(prices, systems)
    if not any(setup.base == "cost" for setup in setups):
        setups += build_scorers(
            [ScorerEntry(scorer="cost", name="cost", params={"prices": str(path)})]
        )
    return Spending(prices, options.max_cost)


def _resampling(options: RunOptions) -> Resampling:
    try:
        return Resampling(
            resamples=options.resamples, level=options.level, seed=options.seed, method=options.test
        )
    except ValueError as error:
        raise RunError(str(error)) from None


def _config(path: Path | None) -> RunConfig:
    try:
        return load_config(path) if path else RunConfig()
    except TaskError as error:
        raise RunError(f"invalid config {path}", error.problems) from None


def _specs(given: Any, configured: list[Any], default: list[str]) -> list[Any]:
    """The systems or scorers given, else the config file's, else the defaults."""
    return list(given if given is not None else configured or default)


def _recorded(spec: Any) -> Any:
    """A system or scorer spec as run.json records it."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, System):
        return spec.describe()
    return spec.model_dump()


def _check_metrics(chosen: list[str] | None, setups: list[ScorerSetup]) -> None:
    known = {m.name for setup in setups for m in setup.scorer.metrics()}
    unknown = [m for m in chosen or [] if m not in known]
    if unknown:
        raise RunError(
            f"unknown metric(s) {unknown}; these scorers give: {', '.join(sorted(known))}"
        )


def _stored_systems(folder: Path) -> list[str]:
    """The systems a results folder to resume already holds (its run.json), if any."""
    if not (folder / "run.json").is_file():
        return []
    try:
        info = Store(folder).run_info()
    except StoreError:
        return []  # reported where the folder is checked
    return [str(s.get("name")) for s in info.get("systems", []) if isinstance(s, dict)]


def _check_baseline(
    name: str | None, systems: list[System], options: RunOptions, stored: list[str]
) -> None:
    """The system of the table's † marks must be one of the run's, or one the resumed folder
    holds (the table covers the whole folder): checked before any work, as the table is built
    after the whole run."""
    names = list(dict.fromkeys([system.name for system in systems] + stored))
    if name is not None and name not in names:
        configured = f"{options.config_file}: baseline_system"
        given = "--baseline-system" if options.baseline_system else configured
        raise RunError(
            f"{given}: {name!r} is not a system of this run; choose one of {', '.join(names)}"
        )


def _check_folder(folder: Path) -> None:
    """``--out``: a new or empty folder, or a results folder (with run.json) to resume; never
    a folder of other files, which the run would write among."""
    if folder.exists() and not folder.is_dir():
        raise RunError(f"--out {folder} is a file; expected a results folder")
    if not folder.is_dir() or (folder / "run.json").is_file():
        return
    found = sorted(entry.name for entry in folder.iterdir() if not entry.name.startswith("."))
    if found:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise RunError(
            f"--out {folder} holds files ({shown}) but no run.json, so it is not a results "
            "folder to resume; give a new or empty folder"
        )


def _cache(options: RunOptions, config: RunConfig) -> GenerationCache | None:
    if options.no_cache or config.cache is False:
        return None
    where = options.cache_dir or (Path(config.cache) if isinstance(config.cache, str) else None)
    return GenerationCache(where or default_cache_dir())


def _auto(value: str | int) -> bool:
    return str(value).strip().lower() == "auto"


def score_workers(
    value: str | int,
    tasks: int | None,
    systems: int,
    light: bool = True,
    cores: int | None = None,
) -> int:
    """``--score-workers``: a positive number, or ``auto``: for a large run (:func:`auto_items`)
    whose scorers hold no model that each process would load, one process per core (but the
    calling process's from :data:`AUTO_SPARE_CORE_FROM` cores up); else 1, in-process."""
    if _auto(value):
        cores = cpu_count() if cores is None else cores
        large = tasks is None or tasks * systems >= auto_items(cores)
        if not large or not light:
            return 1
        return cores - 1 if cores >= AUTO_SPARE_CORE_FROM else cores
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise RunError(f"--score-workers must be a positive number or auto, got {value!r}")
    return workers
