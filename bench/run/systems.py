"""The systems and scorers of a run: ``NAME[:key=value,...]`` specs or config entries, built."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bench.adapters import Adapter, Summarizer, adapters, is_bound
from bench.cache import public_params
from bench.run.errors import RunError
from bench.scorers import Scorer, scorers

DEFAULT_SYSTEMS = ["lead", "random", "textrank", "lexrank", "oracle", "human"]
DEFAULT_SCORERS = ["rouge", "keyfacts", "stats"]

RESOURCES = {"num_cpus": 0.0, "num_gpus": 0.0, "replicas": 1.0}
"""Parameters of a system that say where it runs on a cluster (``--executor ray``), not what it
computes: they are taken out of the adapter's parameters, its display name and its identity
(a run resumes with other resources), each with its least allowed value."""


def parse_spec(spec: str) -> tuple[str, dict[str, str], str]:
    """Split ``name:k=v,k2=v2`` into (registered name, params, display name).

    The display name is the registered name, or name plus parameters when parameters are given
    (secret-looking values redacted), or the value of a ``name=`` parameter.
    """
    base, _, rest = spec.partition(":")
    base = base.strip()
    if not base:
        raise RunError(f"empty name in spec {_redact(spec)!r}; expected NAME[:key=value,...]")
    params: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise RunError(
                f"bad parameter {part.split('=')[0]!r} in {_redact(spec)!r}; expected key=value"
            )
        params[key.strip()] = value.strip()
    display = params.pop("name", None) or _display(base, params)
    return base, params, display


def _display(base: str, params: dict[str, Any]) -> str:
    if not params:
        return base
    shown = public_params(params)
    hidden = {k: "<redacted>" for k in params if k not in shown}
    return f"{base}:" + ",".join(f"{k}={v}" for k, v in {**shown, **hidden}.items())


def _redact(spec: str) -> str:
    base, _, rest = spec.partition(":")
    parts = []
    for part in rest.split(","):
        key, eq, _ = part.partition("=")
        parts.append(f"{key}=<redacted>" if eq and not public_params({key.strip(): 1}) else part)
    return f"{base}:{','.join(parts)}" if rest else base


@dataclass
class System:
    """A configured summarizer taking part in a run."""

    name: str
    adapter_name: str
    params: dict[str, str]
    adapter: Adapter
    origin: str
    resources: dict[str, float] = field(default_factory=dict)
    """Cluster resources asked for (:data:`RESOURCES`); empty: the executor's defaults."""

    @property
    def bound(self) -> bool:
        """True for oracle-style systems that see the gold."""
        return is_bound(self.adapter)

    def describe(self) -> dict[str, Any]:
        """What run.json records about this system."""
        return {
            "name": self.name,
            "adapter": self.adapter_name,
            "params": public_params(self.params),
            "version": self.adapter.version,
            "origin": self.origin,
            "bound": self.bound,
        }


@dataclass
class ScorerSetup:
    """A configured scorer taking part in a run."""

    name: str
    params: dict[str, str]
    scorer: Scorer
    origin: str
    base: str = ""
    """The registered scorer name, to build the same scorer in a scoring process."""

    def recipe(self) -> tuple[str, str, dict[str, str]]:
        """(name, registered scorer, parameters): what a scoring process builds it from."""
        return self.name, self.base or self.scorer.name, self.params

    def describe(self) -> dict[str, Any]:
        """What run.json records about this scorer, including its metric catalog."""
        return {
            "name": self.name,
            "scorer": self.scorer.name,
            "params": self.params,
            "signature": self.scorer.signature(),
            "origin": self.origin,
            "metrics": [vars(m) for m in self.scorer.metrics()],
        }


def build_systems(specs: Iterable[Any]) -> list[System]:
    """Instantiate systems from ``NAME[:k=v,...]`` strings or config entries (objects with
    ``adapter``, ``name`` and ``params``); adapters standing for several systems expand, and a
    :class:`System` already built (a function under test) is taken as it is."""
    systems: list[System] = []
    for spec in specs:
        if isinstance(spec, System):
            systems.append(spec)
            continue
        base, params, display = _resolve(spec, "adapter")
        given = dict(params)
        resources = _resources(params, display)
        if resources and display == _display(base, given):  # not a name=... given
            display = _display(base, params)
        entry = adapters.get(base)
        try:
            adapter = adapters.create(base, **params)
        except (TypeError, ValueError, OSError, LookupError) as error:
            raise RunError(f"system {display!r}: {error}") from error
        expanded = adapter.expand() if isinstance(adapter, Summarizer) else None
        if expanded:
            systems.extend(
                System(name, base, {**params, "system": name}, sub, entry.origin, resources)
                for name, sub in expanded.items()
            )
        else:
            systems.append(System(display, base, params, adapter, entry.origin, resources))
    names = [s.name for s in systems]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise RunError(f"system name(s) used twice: {duplicated}; add name=... to tell them apart")
    return systems


def _resources(params: dict[str, Any], display: str) -> dict[str, float]:
    """Take :data:`RESOURCES` out of ``params`` (checked: numbers, ``replicas`` whole)."""
    found: dict[str, float] = {}
    for name, least in RESOURCES.items():
        if name not in params:
            continue
        value = params.pop(name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        whole = name != "replicas" or number.is_integer()
        if not (number >= least and whole and number < float("inf")):
            kind = "a whole number" if name == "replicas" else "a number"
            raise RunError(
                f"system {display!r}: parameter {name!r} expects {kind} >= {least:g}, got {value!r}"
            )
        found[name] = number
    return found


def _resolve(spec: Any, kind: str) -> tuple[str, dict[str, Any], str]:
    if isinstance(spec, str):
        return parse_spec(spec)
    base = getattr(spec, kind)
    params = dict(spec.params)
    return base, params, spec.name or _display(base, params)


def build_scorers(specs: Iterable[Any]) -> list[ScorerSetup]:
    """Instantiate scorers from ``NAME[:k=v,...]`` strings or config entries."""
    setups: list[ScorerSetup] = []
    for spec in specs:
        base, params, display = _resolve(spec, "scorer")
        entry = scorers.get(base)
        try:
            scorer = scorers.create(base, **params)
        except (TypeError, ValueError) as error:
            raise RunError(f"scorer {display!r}: {error}") from error
        setups.append(ScorerSetup(display, params, scorer, entry.origin, base))
    return setups


def unknown_id_warnings(systems: Iterable[System], task_ids: set[str], selected: bool) -> list[str]:
    """One warning per system whose outputs file (``precomputed``) has ids that no task of the
    run has (typos, or outputs of another task set): they are ignored, never scored."""
    found = []
    for system in systems:
        listed = getattr(system.adapter, "task_ids", None)
        if not callable(listed):
            continue
        extra = sorted(set(listed()) - task_ids)
        if extra:
            where = "the tasks selected for this run" if selected else "the task set"
            found.append(
                f"{system.name}: the outputs file has {len(extra)} task id(s) not in {where}, "
                f"ignored: {', '.join(extra[:10])}{' ...' if len(extra) > 10 else ''}"
            )
    return found
