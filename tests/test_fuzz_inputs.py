"""Random task files and tables fed to validation and to the reader `run` uses: only clean
problems (no exception escapes), and nothing outside the task folder is ever read."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.task import TaskError
from bench.tasksets import TaskSetError, check_task_set, open_tasks

MARKER = "OUTSIDE-SECRET-7f3a"
"""Text of a file beside the task folder: it must never turn up in a task."""

PATHS = st.sampled_from(
    ["sources/a.txt", "../secret.txt", "../../secret.txt", "/etc/hostname", "sources/link.txt"]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.text(max_size=30), PATHS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DOCUMENT = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=5), st.integers(0, 9))},
    optional={"path": PATHS, "text": st.text(max_size=60), "title": SCALARS},
)
TASK = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["t1", "t2", 1]),
        "title": SCALARS,
        "instructions": SCALARS,
        "budget": st.one_of(st.integers(-3, 10**7), SCALARS),
        "language": st.sampled_from(["en", "zh", "x", ""]),
        "documents": st.one_of(st.lists(DOCUMENT, max_size=3), VALUES),
        "metadata": VALUES,
        "extra": VALUES,
    },
)
FUZZ = settings(
    max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def make_folder(spec: object, raw: bytes | None) -> tuple[Path, Path]:
    """A scratch folder holding ``secret.txt`` and ``tasks/t1/`` (task.yaml from ``spec``, or
    ``raw`` bytes), with a source file and a symlink pointing at the secret."""
    root = Path(tempfile.mkdtemp())
    (root / "secret.txt").write_text(MARKER + " and a sentence or two of text.\n")
    task = root / "tasks" / "t1"
    (task / "sources").mkdir(parents=True)
    (task / "sources" / "a.txt").write_text("The council approved the new bridge on Monday.\n")
    (task / "sources" / "link.txt").symlink_to(root / "secret.txt")
    content = raw if raw is not None else yaml.safe_dump(spec, allow_unicode=True).encode()
    (task / "task.yaml").write_bytes(content)
    return root, root / "tasks"


def no_secret(tasks: object) -> None:
    assert MARKER not in json.dumps(tasks, default=str)


@FUZZ
@given(spec=TASK, raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_random_task_folders_give_only_clean_problems(spec: object, raw: bytes | None) -> None:
    root, tasks = make_folder(spec, raw)
    try:
        count, problems = check_task_set(tasks)
        assert count in (0, 1)
        assert all(p.file and p.message for p in problems)
        no_secret([str(p) for p in problems])
        try:
            loaded = [t.model_dump() for t in open_tasks(tasks)]
        except (TaskError, TaskSetError):
            loaded = []
        no_secret(loaded)
    finally:
        shutil.rmtree(root)


ROW = st.dictionaries(
    st.sampled_from(["id", "documents", "references", "budget", "title", "junk"]),
    VALUES,
    max_size=5,
)


@FUZZ
@given(rows=st.lists(ROW, max_size=4), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_random_tables_give_only_clean_problems(rows: list[dict[str, object]], suffix: str) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        table = root / f"tasks{suffix}"
        if suffix == ".jsonl":
            table.write_text("".join(json.dumps(row) + "\n" for row in rows))
        else:
            columns = sorted({key for row in rows for key in row}) or ["id"]
            lines = [",".join(columns)]
            lines += [",".join(json.dumps(str(row.get(c, ""))) for c in columns) for row in rows]
            table.write_text("\n".join(lines) + "\n")
        count, problems = check_task_set(table)
        assert count >= 0 and all(p.file and p.message for p in problems)
    finally:
        shutil.rmtree(root)
