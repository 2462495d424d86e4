"""`sumbench systems list` and `sumbench scorers list`."""

from __future__ import annotations

from typer.testing import CliRunner

from bench.cli import app

runner = CliRunner()


def test_systems_list_shows_every_builtin_with_parameters() -> None:
    result = runner.invoke(app, ["systems", "list"])
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    assert {"lead", "random", "textrank", "lexrank", "oracle", "human", "precomputed"} <= set(lines)
    assert "k=3" in lines["lead"] and "builtin" in lines["lead"]
    scorers = runner.invoke(app, ["scorers", "list"]).stdout
    assert "rouge\tbuiltin" in scorers and "keyfacts\tbuiltin" in scorers
