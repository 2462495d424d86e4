"""The ``command`` adapter: any program as a summarizer, run without a shell.

``command:argv=python3 my_summ.py --beam 4`` splits ``argv`` with :func:`shlex.split` (shell
quoting rules, but no shell ever runs: no pipes, globs, ``$VARS`` or redirections), writes the
:class:`SummaryRequest` as JSON to the program's stdin and reads the summary from its stdout.
With ``output=json`` the program prints ``{"summary": "...", "meta": {...}}`` instead.

The command line splits system parameters at commas, so an argument containing a comma cannot
be given there: call the program from a wrapper script, or pass ``argv`` as a list from Python.

The program inherits sumbench's environment, so API keys reach it without being written
anywhere. ``env=NAME=value ...`` adds or overrides variables; like every parameter it is
recorded in run.json, so it must never carry a secret.

Cache identity: when ``argv[1]`` is an existing file (``python3 summ.py``), or else ``argv[0]``
is a path to one (``./summ.sh``), that file's SHA-256 is part of the cache key, so editing the
script invalidates its cached summaries. A program found on PATH is identified by its name.

A non-zero exit is an :class:`AdapterError` with the stderr tail; exit status 75
(``EX_TEMPFAIL``, e.g. rate limited) and timeouts are marked transient.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.adapters.base import AdapterError, Summarizer, register_adapter
from bench.params import above, at_least
from bench.request import Summary, SummaryRequest

COMPONENT = "adapter 'command'"
OUTPUTS = ("text", "json")
EX_TEMPFAIL = 75
"""Exit status (sysexits.h) by which a program says "try again later"."""
STDERR_LINES = 20
STDERR_CHARS = 2000
KILL_GRACE_S = 5.0
"""How long to wait for the pipes to close after killing a timed-out process group."""


def split_argv(argv: str | Sequence[str]) -> list[str]:
    """``argv`` as a list; a string is split with shell quoting rules (no shell runs it)."""
    if isinstance(argv, str):
        try:
            parts = shlex.split(argv)
        except ValueError as error:
            raise ValueError(f"adapter 'command': cannot split argv {argv!r}: {error}") from None
    else:
        parts = [str(part) for part in argv]
    if not parts:
        raise ValueError("adapter 'command': argv is empty; expected e.g. argv=python3 summ.py")
    return parts


def parse_env(env: str | Mapping[str, str] | None) -> dict[str, str]:
    """Extra variables from a mapping or from ``NAME=value`` words (shell quoting rules)."""
    if env is None:
        return {}
    if not isinstance(env, str):
        return {str(name): str(value) for name, value in env.items()}
    try:
        words = shlex.split(env)
    except ValueError as error:  # the message names no value: env may hold something private
        raise ValueError(f"adapter 'command': cannot split env: {error}") from None
    found: dict[str, str] = {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq or not name:
            raise ValueError(f"adapter 'command': env expects NAME=value words, got {name!r}")
        found[name] = value
    return found


def stderr_tail(data: bytes) -> str:
    """The last lines of a program's stderr, at most STDERR_LINES lines and STDERR_CHARS chars."""
    lines = data.decode("utf-8", errors="replace").rstrip().splitlines()
    tail = "\n".join(lines[-STDERR_LINES:])
    if len(tail) > STDERR_CHARS:
        return "[...]" + tail[-STDERR_CHARS:]
    return ("[...]\n" if len(lines) > STDERR_LINES else "") + tail


def _has_separator(program: str) -> bool:
    return os.sep in program or (os.altsep is not None and os.altsep in program)


def _check_executable(program: str, cwd: Path | None, search_path: str | None) -> None:
    if not _has_separator(program):
        if shutil.which(program, path=search_path) is None:
            raise ValueError(f"command {program!r} not found on PATH")
        return
    file = (cwd or Path()) / program
    where = f" (relative to {cwd})" if cwd is not None and not Path(program).is_absolute() else ""
    if not file.is_file():
        raise ValueError(f"command {program!r} not found{where}")
    if not os.access(file, os.X_OK):
        raise ValueError(
            f"command {program!r} is not executable{where}; chmod +x it or name its "
            f"interpreter first, e.g. argv=python3 {program}"
        )


def _program_file(argv: list[str], cwd: Path | None) -> Path | None:
    base = cwd or Path()
    if len(argv) > 1 and argv[1] and (base / argv[1]).is_file():
        return base / argv[1]
    if _has_separator(argv[0]) and (base / argv[0]).is_file():
        return base / argv[0]
    return None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and everything it started (it leads its own process group)."""
    if sys.platform == "win32":
        process.kill()
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        # A descendant that left the group still holds the pipes open; stop reading them.
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()


@register_adapter("command")
class Command(Summarizer):
    """Run a program (no shell): request JSON on stdin, summary on stdout."""

    light = True

    def __init__(
        self,
        argv: str | Sequence[str],
        output: str = "text",
        timeout: float = 300.0,
        concurrency: int = 1,
        cwd: str | Path | None = None,
        env: str | Mapping[str, str] | None = None,
    ) -> None:
        self.argv = split_argv(argv)
        if output not in OUTPUTS:
            raise ValueError(
                f"adapter 'command': output must be one of {', '.join(OUTPUTS)}, got {output!r}"
            )
        self.output = output
        self.timeout = above(COMPONENT, "timeout", timeout, 0.0)
        self.concurrency = at_least(COMPONENT, "concurrency", concurrency, 1)
        self.cwd = Path(cwd) if cwd is not None else None
        if self.cwd is not None and not self.cwd.is_dir():
            raise ValueError(f"adapter 'command': cwd {str(self.cwd)!r} is not a directory")
        self._extra_env = parse_env(env)
        search_path = self._extra_env.get("PATH", os.environ.get("PATH"))
        _check_executable(self.argv[0], self.cwd, search_path)
        self.program_file = _program_file(self.argv, self.cwd)
        self._digest: tuple[tuple[int, int], str] | None = None
        """The program file's hash, kept while its modification time and size stay the same."""

    @property
    def display(self) -> str:
        """The command as one shell-quoted line, for messages."""
        return shlex.join(self.argv)

    def cache_identity(self) -> dict[str, str]:
        """The SHA-256 of the program file (see the module docstring for which file)."""
        if self.program_file is None:
            return {}
        status = self.program_file.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        if self._digest is None or self._digest[0] != stamp:
            digest = hashlib.sha256(self.program_file.read_bytes()).hexdigest()
            self._digest = (stamp, digest)
        return {"program_sha256": self._digest[1]}

    def summarize(self, request: SummaryRequest) -> Summary:
        """Run the program once for ``request``; failures raise :class:`AdapterError`."""
        start = time.perf_counter()
        stdout, stderr, code = self._run(request.model_dump_json().encode("utf-8"))
        latency = time.perf_counter() - start
        if code != 0:
            if code < 0:
                try:
                    status = f"was killed by signal {signal.Signals(-code).name} (exit code {code})"
                except ValueError:
                    status = f"was killed by signal {-code} (exit code {code})"
            else:
                status = f"exited with code {code}"
            tail = stderr_tail(stderr)
            detail = f"; last lines of stderr:\n{tail}" if tail else "; stderr was empty"
            raise AdapterError(
                f"command {self.display!r} {status}{detail}", transient=code == EX_TEMPFAIL
            )
        text, meta = self._parse(stdout)
        return Summary(text=text, meta={**meta, "latency_s": round(latency, 6), "exit_code": code})

    def _run(self, payload: bytes) -> tuple[bytes, bytes, int]:
        environment = {**os.environ, **self._extra_env} if self._extra_env else None
        try:
            process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.cwd,
                env=environment,
                start_new_session=True,
            )
        except OSError as error:
            raise AdapterError(f"command {self.display!r} could not start: {error}") from None
        try:
            stdout, stderr = process.communicate(payload, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise AdapterError(
                f"command {self.display!r} timed out after {self.timeout:g} s; "
                "it and its child processes were killed",
                transient=True,
            ) from None
        except BaseException:
            # In its own session the program misses the terminal's Ctrl-C: take it down too.
            _kill_group(process)
            raise
        return stdout, stderr, process.returncode

    def _parse(self, stdout: bytes) -> tuple[str, dict[str, Any]]:
        try:
            text = stdout.decode("utf-8")
        except UnicodeDecodeError as error:
            raise AdapterError(
                f"command {self.display!r} printed invalid UTF-8 on stdout (byte {error.start})"
            ) from None
        if not text.strip():
            raise AdapterError(
                f"command {self.display!r} printed nothing on stdout; a summary was expected"
            )
        if self.output == "text":
            return text.strip(), {}
        expected = 'expected {"summary": "...", "meta": {...}} on stdout (output=json)'
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise AdapterError(
                f"command {self.display!r} printed invalid JSON ({error.msg}, line "
                f"{error.lineno}); {expected}, got {text[:200]!r}"
            ) from None
        summary = data.get("summary") if isinstance(data, dict) else None
        meta = (data.get("meta") or {}) if isinstance(data, dict) else None
        if not isinstance(summary, str) or not isinstance(meta, dict):
            raise AdapterError(f"command {self.display!r}: {expected}, got {text[:200]!r}")
        if not summary.strip():
            raise AdapterError(f"command {self.display!r} returned an empty summary")
        return summary.strip(), meta
