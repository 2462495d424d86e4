"""Calibration of the lexical faithfulness knobs on judgments: grid, folds by article, the fit
and its cross-validated figure, the YAML and spec it writes, ``sumbench calibrate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
import yaml
from typer.testing import CliRunner

from bench import faithcal
from bench.cli.meta import calibrate_command
from bench.faithjudgments import load_faith_judgments
from bench.run.config import RunConfig
from bench.run.systems import parse_spec
from bench.scorers.base import scorers

ARTICLES = {
    "a1": "The council approved a budget of 40 million dollars on Monday. The mayor praised it.",
    "a2": "A storm brought heavy rain to the coast on Friday. Officials closed three highways.",
    "a3": "The museum opened an exhibition of Roman coins in March. Tickets cost 12 euros.",
    "a4": "The club signed a young striker from Brazil on Tuesday. The fee was not disclosed.",
    "a5": "The factory hired 200 workers last year. Its owner plans to expand in Ohio.",
    "a6": "The school library received 500 new books. Students raised the money themselves.",
}
# Each faithful unit adds one harmless word the article never uses: the judges read it as
# faithful, the default knobs (novel=0) as unsupported.
PARAPHRASED = {
    "a1": "The council approved a budget of 40 million dollars on Monday evening.",
    "a2": "A storm brought heavy rain to the coast on Friday night.",
    "a3": "The museum opened an exhibition of ancient Roman coins in March.",
    "a4": "The club signed a young striker from Brazil on Tuesday afternoon.",
    "a5": "The factory hired 200 workers last year and its owner plans to expand in Ohio soon.",
    "a6": "The school library received 500 new books recently.",
}
MADE_UP = {
    "a1": "Governor Frank Wilson vetoed a tax on Swiss chocolate imports.",
    "a2": "Thousands of Norwegian tourists were evacuated by helicopter pilots.",
    "a3": "Archaeologist Karl Svensson sold golden Viking helmets to Japanese collectors.",
    "a4": "Chelsea paid 90 million pounds for a veteran Argentine goalkeeper.",
    "a5": "Protesters blocked the Danish embassy during a snowy December parade.",
    "a6": "A famous Italian chef cooked spaghetti for hungry astronauts.",
}
SMALL_GRID = {"threshold": (0.5,), "novel": (0, 1), "order": (1.0,)}


def rows() -> list[dict[str, Any]]:
    pattern = {"s1": (2, 1, 0, 2, 1, 0), "s2": (0, 2, 1, 1, 0, 2), "s3": (1, 0, 2, 0, 2, 1)}
    found = []
    for system, counts in pattern.items():
        for doc, faithful in zip(ARTICLES, counts, strict=True):
            units = [PARAPHRASED[doc]] * faithful + [MADE_UP[doc]] * (2 - faithful)
            found.append(
                {
                    "doc_id": doc,
                    "system": system,
                    "document": ARTICLES[doc],
                    "summary": " ".join(units),
                    "sentences": units,
                    "score": faithful / 2,
                    "label": int(faithful == 2),
                }
            )
    return found


def write(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows()), encoding="utf-8")
    return path


def test_grid_starts_with_the_defaults_and_holds_every_combination() -> None:
    points = faithcal.grid_points()
    assert points[0] == {"threshold": 0.5, "novel": 0, "order": 1.0}
    assert len(points) == len({tuple(p.items()) for p in points}) == 11 * 3 * 3


def test_folds_keep_every_summary_of_an_article_together(tmp_path: Path) -> None:
    judgments = load_faith_judgments(write(tmp_path / "j.jsonl"))
    held_out = faithcal.folds(judgments, 3, seed=1)
    assert sorted(np.concatenate(held_out).tolist()) == list(range(len(judgments)))
    for rows_ in held_out:
        docs = {judgments[i].doc_id for i in rows_}
        assert all(judgments[i].doc_id not in docs for i in np.setdiff1d(range(18), rows_))
    with pytest.raises(faithcal.CalibrationError, match="at least 7 articles; got 6"):
        faithcal.folds(judgments, 7)


def test_calibration_finds_the_knob_the_judgments_call_for(tmp_path: Path) -> None:
    judgments = load_faith_judgments(write(tmp_path / "j.jsonl"))
    fitted = faithcal.calibrate(judgments, k=3, grid=SMALL_GRID)
    assert fitted.params == {"threshold": 0.5, "novel": 1, "order": 1.0}
    assert fitted.in_sample > 0.9 and fitted.cross_validated > 0.9
    assert not fitted.default_in_sample > 0.5  # every unit unsupported: no agreement
    assert len(fitted.folds) == 3
    assert fitted.spec == "faithfulness:backend=lexical,threshold=0.5,novel=1,order=1"
    base, params, _ = parse_spec(fitted.spec)
    assert scorers.create(base, **params).signature().endswith("novel:1|order:1|threshold:0.5")
    config = RunConfig.model_validate(yaml.safe_load(fitted.to_yaml()))
    assert getattr(config.scorers[0], "params", None) == {
        "backend": "lexical",
        "threshold": 0.5,
        "novel": 1,
        "order": 1,
    }


def test_balanced_accuracy_objective_needs_labels(tmp_path: Path) -> None:
    judgments = load_faith_judgments(write(tmp_path / "j.jsonl"))
    fitted = faithcal.calibrate(judgments, objective="balanced-accuracy", k=2, grid=SMALL_GRID)
    assert fitted.params["novel"] == 1 and fitted.in_sample == pytest.approx(1.0)
    unlabelled = [j.__class__(**{**j.__dict__, "label": None}) for j in judgments]
    with pytest.raises(faithcal.CalibrationError, match="needs judgments with a `label`"):
        faithcal.calibrate(unlabelled, objective="balanced-accuracy", k=2, grid=SMALL_GRID)


def test_calibrate_command_prints_both_figures_and_writes_the_yaml(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("calibrate")(calibrate_command)
    app.command("other")(lambda: None)
    out = tmp_path / "fit.yaml"
    path = write(tmp_path / "j.jsonl")
    result = CliRunner().invoke(app, ["calibrate", str(path), "--folds", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "in-sample" in result.stdout and "cross-validated" in result.stdout
    assert "use: --scorers faithfulness:backend=lexical," in result.stdout
    assert "scorer: faithfulness" in out.read_text()
    few = CliRunner().invoke(app, ["calibrate", str(path), "--folds", "9"])
    assert few.exit_code == 2 and "needs at least 9 articles" in few.output
