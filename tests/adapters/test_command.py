"""The command adapter: a program as a summarizer, request on stdin, summary on stdout."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path

import pytest
from conftest import write_task
from typer.testing import CliRunner

from bench.adapters import AdapterError, adapters
from bench.adapters.command import Command, stderr_tail
from bench.cli import app
from bench.request import RequestDocument, SummaryRequest
from bench.run import build_systems

REQUEST = SummaryRequest(
    task_id="t",
    instructions="Summarize.",
    budget=5,
    documents=(
        RequestDocument(id="d1", text="The bridge opened today. Traffic was light."),
        RequestDocument(id="d2", text="Officials were pleased."),
    ),
)

SCRIPT = r"""
import json, os, subprocess, sys, time

mode = sys.argv[1] if len(sys.argv) > 1 else "text"
request = json.load(sys.stdin)
first = request["documents"][0]["text"].split(". ")[0].rstrip(".") + "."
if mode == "text":
    print(first)
elif mode == "json":
    print(json.dumps({"summary": first, "meta": {"tokens": 4, "task": request["task_id"]}}))
elif mode == "argv":
    print(json.dumps(sys.argv[2:]))
elif mode == "env":
    print(os.environ.get(sys.argv[2], "<unset>"))
elif mode == "fail":
    for number in range(1, 31):
        print(f"progress line {number}", file=sys.stderr)
    print("ValueError: the model exploded", file=sys.stderr)
    sys.exit(3)
elif mode == "tempfail":
    print("rate limited", file=sys.stderr)
    sys.exit(75)
elif mode == "empty":
    print("   ")
elif mode == "badjson":
    print("not json")
elif mode == "sleep":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(sys.argv[2], "w") as handle:
        handle.write(str(child.pid))
    time.sleep(60)
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "summ.py"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def command(script: Path, *args: str, **params: str) -> Command:
    return Command(shlex.join([sys.executable, str(script), *args]), **params)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            # A zombie is dead; nobody may reap it in a container without an init process.
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_script_reads_the_request_json_and_its_stdout_is_the_summary(script: Path) -> None:
    summary = command(script).summarize(REQUEST)
    assert summary.text == "The bridge opened today."
    assert summary.meta["exit_code"] == 0
    assert 0 < summary.meta["latency_s"] < 30


def test_json_output_carries_the_summary_and_the_programs_meta(script: Path) -> None:
    summary = command(script, "json", output="json").summarize(REQUEST)
    assert summary.text == "The bridge opened today."
    assert summary.meta["tokens"] == 4 and summary.meta["task"] == "t"
    assert summary.meta["exit_code"] == 0 and "latency_s" in summary.meta


def test_json_output_that_is_not_the_expected_object_is_an_error(script: Path) -> None:
    with pytest.raises(AdapterError, match="printed invalid JSON"):
        command(script, "badjson", output="json").summarize(REQUEST)
    with pytest.raises(AdapterError, match='expected \\{"summary"'):
        command(script, "argv", "x", output="json").summarize(REQUEST)


def test_non_zero_exit_is_an_error_with_the_code_and_the_stderr_tail(script: Path) -> None:
    with pytest.raises(AdapterError) as caught:
        command(script, "fail").summarize(REQUEST)
    message = str(caught.value)
    assert "exited with code 3" in message
    assert message.rstrip().endswith("ValueError: the model exploded")
    assert "progress line 30" in message and "progress line 11" not in message
    assert not caught.value.transient


def test_exit_status_75_is_a_transient_error(script: Path) -> None:
    with pytest.raises(AdapterError, match="exited with code 75") as caught:
        command(script, "tempfail").summarize(REQUEST)
    assert caught.value.transient


def test_stderr_tail_keeps_at_most_2000_characters() -> None:
    tail = stderr_tail(("x" * 500 + "\n").encode() * 10)
    assert len(tail) <= 2000 + len("[...]") and tail.startswith("[...]")


def test_timeout_kills_the_program_and_its_children_quickly(script: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    adapter = command(script, "sleep", str(pid_file), timeout=0.5)
    start = time.monotonic()
    with pytest.raises(AdapterError, match=r"timed out after 0\.5 s") as caught:
        adapter.summarize(REQUEST)
    assert time.monotonic() - start < 4
    assert caught.value.transient
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 3
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_empty_output_is_an_error_not_an_empty_summary(script: Path) -> None:
    with pytest.raises(AdapterError, match="printed nothing on stdout"):
        command(script, "empty").summarize(REQUEST)


def test_arguments_reach_the_program_literally_without_a_shell(
    script: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "keep-me"
    marker.write_text("still here")
    hostile = [f"; rm -f {marker}", "$HOME", "*", "a b"]
    by_string = command(script, "argv", *hostile).summarize(REQUEST)
    by_list = Command([sys.executable, str(script), "argv", *hostile]).summarize(REQUEST)
    assert json.loads(by_string.text) == json.loads(by_list.text) == hostile
    assert marker.read_text() == "still here"


def test_environment_is_inherited_and_env_adds_variables(
    script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMBENCH_TEST_INHERITED", "from-parent")
    inherited = command(script, "env", "SUMBENCH_TEST_INHERITED").summarize(REQUEST)
    assert inherited.text == "from-parent"
    added = command(script, "env", "BEAM", env="BEAM=4 OTHER='x y'").summarize(REQUEST)
    assert added.text == "4"
    assert "BEAM" not in os.environ


def test_missing_executable_is_a_clear_error_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="command 'no-such-summarizer-xyz' not found on PATH"):
        Command("no-such-summarizer-xyz summ.py")
    with pytest.raises(ValueError, match=r"command './missing.sh' not found \(relative to"):
        Command("./missing.sh", cwd=str(tmp_path))
    plain = tmp_path / "plain.sh"
    plain.write_text("echo hi\n")
    with pytest.raises(ValueError, match="is not executable"):
        Command(str(plain))


def test_cache_identity_changes_when_the_script_changes(script: Path) -> None:
    adapter = command(script, "--beam", "4")
    before = adapter.cache_identity()
    assert set(before) == {"program_sha256"}
    assert command(script).cache_identity() == before
    script.write_text(SCRIPT + "\n# tuned\n", encoding="utf-8")
    assert adapter.cache_identity() != before


def test_cache_identity_of_a_program_on_path_is_empty() -> None:
    assert Command("echo hello").cache_identity() == {}


def test_relative_script_is_found_from_cwd(script: Path) -> None:
    adapter = Command([sys.executable, script.name], cwd=str(script.parent))
    assert adapter.program_file == script.parent / script.name
    assert adapter.summarize(REQUEST).text == "The bridge opened today."


def test_string_parameters_from_the_command_line_are_converted(script: Path) -> None:
    spec = f"command:argv={shlex.join([sys.executable, str(script)])},timeout=2.5,concurrency=3"
    [system] = build_systems([spec])
    assert isinstance(system.adapter, Command)
    assert system.adapter.timeout == 2.5 and system.adapter.concurrency == 3
    assert system.adapter.summarize(REQUEST).text == "The bridge opened today."


def test_run_records_the_programs_summary_and_meta_and_sees_script_edits(
    script: Path, tmp_path: Path
) -> None:
    write_task(tmp_path)
    spec = f"command:argv={shlex.join([sys.executable, str(script)])},name=script"

    def run(out: str) -> dict[str, object]:
        result = CliRunner().invoke(
            app,
            [
                *("run", "--tasks", str(tmp_path / "tasks"), "--systems", spec),
                *("--scorers", "stats", "--no-charts", "--out", str(tmp_path / out)),
            ],
        )
        assert result.exit_code == 0, result.output
        [record] = [json.loads(x) for x in (tmp_path / out / "outputs.jsonl").open()]
        return dict(record)

    first = run("a")
    assert first["system"] == "script"
    assert first["summary"] == "The council approved the new bridge on Monday."
    assert isinstance(first["meta"], dict) and first["meta"]["exit_code"] == 0
    script.write_text(SCRIPT.replace("print(first)", "print(first.upper())"), encoding="utf-8")
    assert run("b")["summary"] == "THE COUNCIL APPROVED THE NEW BRIDGE ON MONDAY."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"argv": ""}, "argv is empty"),
        ({"argv": "python3 'unclosed"}, "cannot split argv"),
        ({"argv": "python3", "output": "xml"}, "output must be one of text, json"),
        ({"argv": "python3", "timeout": "soon"}, "'timeout' expects a number, got 'soon'"),
        ({"argv": "python3", "timeout": "0"}, "'timeout' expects a number > 0, got 0.0"),
        ({"argv": "python3", "concurrency": "0"}, "'concurrency' expects an integer >= 1"),
        ({"argv": "python3", "env": "NOEQUALS"}, "env expects NAME=value words"),
        ({"argv": "python3", "cwd": "/no/such/dir"}, "is not a directory"),
    ],
)
def test_bad_parameters_are_rejected_with_a_reason(params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        adapters.create("command", **params)
