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


class Typed:
    """A factory with annotated parameters, as they arrive from the command line."""

    def __init__(
        self,
        count: int = 1,
        share: float = 0.5,
        flag: bool = False,
        limit: int | None = 3,
        text: str | None = None,
        loose: int | str = 60,
        plain=None,
        **extra: str,
    ) -> None:
        self.count, self.share, self.flag, self.limit = count, share, flag, limit
        self.text, self.loose, self.plain, self.extra = text, loose, plain, extra


def typed_registry() -> Registry[Typed]:
    registry: Registry[Typed] = Registry("thing", "sumbench.test-things")
    registry.register("typed")(Typed)
    return registry


def test_text_is_converted_to_the_annotated_types() -> None:
    built = typed_registry().create(
        "typed", count=" 8 ", share="0.25", flag="yes", limit="none", text="none", extra="7"
    )
    assert (built.count, built.share, built.flag, built.limit) == (8, 0.25, True, None)
    assert built.text == "none" and built.extra == {"extra": "7"}
    assert typed_registry().create("typed", limit="", flag="OFF").limit is None


def test_values_that_arrive_typed_are_kept_or_widened() -> None:
    built = typed_registry().create("typed", count=4, share=1, flag=1, limit=None)
    assert (built.count, built.share, built.flag, built.limit) == (4, 1.0, True, None)
    assert isinstance(built.share, float)
    assert typed_registry().create("typed", count=3.0).count == 3


def test_annotations_that_admit_text_or_none_leave_the_value_as_given() -> None:
    built = typed_registry().create("typed", loose="12", plain="x")
    assert (built.loose, built.plain) == ("12", "x")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"count": "x"}, "thing 'typed': parameter 'count' expects an integer, got 'x'"),
        ({"count": "2.5"}, "parameter 'count' expects an integer, got '2.5'"),
        ({"count": True}, "parameter 'count' expects an integer, got True"),
        ({"count": 2.5}, "parameter 'count' expects an integer, got 2.5"),
        ({"share": "half"}, "parameter 'share' expects a number, got 'half'"),
        ({"flag": "maybe"}, "parameter 'flag' expects true or false, got 'maybe'"),
        ({"limit": "many"}, "parameter 'limit' expects an integer or none, got 'many'"),
    ],
)
def test_a_value_of_the_wrong_type_names_component_parameter_value_and_type(
    params: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        typed_registry().create("typed", **params)
    assert message in str(caught.value)
    assert str(caught.value).startswith("thing 'typed': parameter ")


def test_an_annotation_that_cannot_be_evaluated_leaves_its_parameter_as_given() -> None:
    namespace: dict[str, object] = {}
    exec(
        "def factory(count: int = 1, client: 'OnlyForTypeChecking | None' = None):\n"
        "    return (count, client)\n",
        namespace,
    )
    registry: Registry[object] = Registry("thing", "sumbench.test-things")
    registry.register("f")(namespace["factory"])  # type: ignore[arg-type]
    assert registry.create("f", count="2", client="c") == (2, "c")
