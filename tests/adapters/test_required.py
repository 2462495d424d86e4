"""Every adapter's required parameters: a missing one is named, never a Python TypeError."""

from __future__ import annotations

import pytest

from bench.adapters import adapters

REQUIRED = {
    "command": ["argv"],
    "hf": ["model"],
    "openai": ["base_url", "model"],
    "precomputed": ["path"],
    "python": ["function"],
}


def test_the_required_parameters_are_those_the_adapters_declare() -> None:
    declared = {
        entry.name: [name for name, default in entry.parameters().items() if default == "required"]
        for entry in adapters.entries()
        if entry.origin == "builtin"
    }
    assert {name: params for name, params in declared.items() if params} == REQUIRED


@pytest.mark.parametrize("adapter", sorted(REQUIRED))
def test_a_missing_required_parameter_is_named(adapter: str) -> None:
    needed = REQUIRED[adapter]
    with pytest.raises(TypeError) as caught:
        adapters.create(adapter)
    listed = ", ".join(map(repr, needed))
    assert str(caught.value) == (
        f"adapter {adapter!r} needs parameter{'s' if len(needed) > 1 else ''} {listed}"
    )


def test_the_missing_one_is_named_among_all_that_are_required() -> None:
    with pytest.raises(TypeError) as caught:
        adapters.create("openai", model="gpt-4o-mini")
    assert str(caught.value) == (
        "adapter 'openai' needs parameter 'base_url'; it requires: base_url, model"
    )
