"""Name -> factory registries for adapters and scorers, fed by decorators and entry points."""

from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bench.params import convert_all

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class UnknownNameError(KeyError):
    """A name that no registered factory answers to."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered factory with where it came from."""

    name: str
    factory: Callable[..., T]
    origin: str
    """``builtin`` or ``plugin:<distribution>``."""

    def parameters(self) -> dict[str, str]:
        """Keyword parameters the factory accepts, with their defaults as text."""
        found: dict[str, str] = {}
        for param in inspect.signature(self.factory).parameters.values():
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.name == "self":
                continue
            default = "required" if param.default is param.empty else repr(param.default)
            found[param.name] = default
        return found

    def summary(self) -> str:
        """First line of the factory's docstring."""
        doc = inspect.getdoc(self.factory) or ""
        return doc.splitlines()[0] if doc else ""


@dataclass
class Registry(Generic[T]):
    """Factories by name; third-party ones come from the entry-point ``group``."""

    kind: str
    group: str
    _entries: dict[str, Entry[T]] = field(default_factory=dict)
    _broken: dict[str, str] = field(default_factory=dict)
    _plugins_loaded: bool = False

    def register(self, name: str, origin: str = "builtin") -> Callable[[F], F]:
        """Decorator registering a factory (usually a class) under ``name``."""

        def decorate(factory: F) -> F:
            existing = self._entries.get(name)
            if existing is not None and existing.factory is not factory:
                raise ValueError(f"{self.kind} {name!r} is already registered by {existing.origin}")
            self._entries[name] = Entry(name, factory, origin)
            return factory

        return decorate

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in importlib.metadata.entry_points(group=self.group):
            dist = ep.dist.name if ep.dist is not None else "unknown"
            if ep.name in self._entries:
                continue
            try:
                factory = ep.load()
            except Exception as error:  # reported when used, so built-ins keep working
                self._broken[ep.name] = (
                    f"plugin {self.kind} {ep.name!r} from {dist} failed to load: "
                    f"{type(error).__name__}: {error}"
                )
                continue
            self._entries[ep.name] = Entry(ep.name, factory, f"plugin:{dist}")

    def broken(self) -> dict[str, str]:
        """Plugins that failed to load, with the reason."""
        self._load_plugins()
        return dict(self._broken)

    def entries(self) -> list[Entry[T]]:
        """Every available factory, built-ins first."""
        self._load_plugins()
        return list(self._entries.values())

    def get(self, name: str) -> Entry[T]:
        """The factory registered as ``name``; a clear error lists the known names."""
        self._load_plugins()
        if name in self._broken:
            raise UnknownNameError(self._broken[name])
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise UnknownNameError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def create(self, name: str, **params: Any) -> T:
        """Build ``name`` with ``params`` converted to the types its factory annotates (text from
        the command line, e.g. ``batch_size="8"``); unknown and missing required parameters are
        reported by name and values of the wrong type as :class:`ValueError` naming component,
        parameter and value."""
        entry = self.get(name)
        accepted = entry.parameters()
        takes_any = any(
            p.kind is p.VAR_KEYWORD for p in inspect.signature(entry.factory).parameters.values()
        )
        unknown = sorted(set(params) - set(accepted))
        if unknown and not takes_any:
            raise TypeError(
                f"{self.kind} {name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join(accepted) or 'none'}"
            )
        required = [param for param, default in accepted.items() if default == "required"]
        missing = [param for param in required if param not in params]
        if missing:
            needs = "parameters" if len(missing) > 1 else "parameter"
            also = f"; it requires: {', '.join(required)}" if missing != required else ""
            raise TypeError(
                f"{self.kind} {name!r} needs {needs} {', '.join(map(repr, missing))}{also}"
            )
        return entry.factory(**convert_all(f"{self.kind} {name!r}", entry.factory, params))
