"""`sumbench systems list` and `sumbench scorers list`."""

from __future__ import annotations

from typer.testing import CliRunner

from bench.cli import app
from bench.cli.listing import describe

runner = CliRunner()


def test_systems_list_shows_every_builtin_with_parameters() -> None:
    result = runner.invoke(app, ["systems", "list"])
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    assert {"lead", "random", "textrank", "lexrank", "oracle", "human", "precomputed"} <= set(lines)
    assert "k=3" in lines["lead"] and "builtin" in lines["lead"]
    scorers = runner.invoke(app, ["scorers", "list"]).stdout
    assert "rouge\tbuiltin" in scorers and "keyfacts\tbuiltin" in scorers


def test_every_description_is_a_whole_sentence() -> None:
    for group in ("systems", "scorers"):
        result = runner.invoke(app, [group, "list"])
        assert result.exit_code == 0
        for line in result.stdout.splitlines():
            name, origin, _, description = line.split("\t")
            if origin != "broken":
                assert description.endswith("."), (name, description)
                assert description.count("(") == description.count(")"), (name, description)
    scorers = runner.invoke(app, ["scorers", "list"]).stdout
    assert "as rouge-score's ``split_summaries``; or ``pysbd``), best or mean over refs." in scorers
    assert "judged by a support backend.\n" in scorers


def _documented(doc: str) -> object:
    def factory() -> None:
        pass

    factory.__doc__ = doc
    return factory


def test_a_description_is_the_first_sentence_across_line_breaks_and_colons() -> None:
    doc = """Support of each sentence by the sources, through a backend: ``x:backend=a``; more
    words (Punkt by
    default, e.g. this. Or that.), best over refs. A second sentence.

    Details."""
    assert describe(_documented(doc)) == (
        "Support of each sentence by the sources, through a backend: ``x:backend=a``; more "
        "words (Punkt by default, e.g. this. Or that.), best over refs."
    )


def test_a_description_without_a_full_stop_is_its_first_paragraph() -> None:
    assert describe(_documented("A factory\nfor tests\n\nDetails.")) == "A factory for tests"
    assert describe(_documented("Reads ``a.b`` files, i.e. tables.")) == (
        "Reads ``a.b`` files, i.e. tables."
    )
    assert describe(_documented("Old devs. New ones.")) == "Old devs."
    assert describe(_documented("")) == ""
