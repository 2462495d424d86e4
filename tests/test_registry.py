"""Registries: names, parameters, clear errors."""

import pytest

from bench.registry import Registry, UnknownNameError


class Thing:
    """A test factory."""

    def __init__(self, k: int = 3, mode: str = "x") -> None:
        self.k, self.mode = k, mode


def test_create_passes_parameters_and_lists_them() -> None:
    registry: Registry[Thing] = Registry("thing", "sumbench.test-things")
    registry.register("thing")(Thing)
    built = registry.create("thing", k=5)
    assert built.k == 5
    entry = registry.get("thing")
    assert entry.parameters() == {"k": "3", "mode": "'x'"}
    assert entry.origin == "builtin" and entry.summary() == "A test factory."


def test_unknown_name_lists_known_names() -> None:
    registry: Registry[Thing] = Registry("thing", "sumbench.test-things")
    registry.register("thing")(Thing)
    with pytest.raises(UnknownNameError, match="unknown thing 'thin'; known: thing"):
        registry.get("thin")


def test_unknown_parameter_names_the_accepted_ones() -> None:
    registry: Registry[Thing] = Registry("thing", "sumbench.test-things")
    registry.register("thing")(Thing)
    with pytest.raises(TypeError, match="has no parameter 'kk'; it takes: k, mode"):
        registry.create("thing", kk=1)


def test_registering_a_different_factory_under_a_taken_name_fails() -> None:
    registry: Registry[object] = Registry("thing", "sumbench.test-things")
    registry.register("thing")(Thing)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("thing")(dict)
