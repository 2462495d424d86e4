"""The ``llm`` judge's verdict cache: one JSON line per reply, keyed by a hash of everything the
reply depends on, appended as replies arrive so an interrupted run keeps them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from bench.scorers.matchers._judge_replies import Reply


class VerdictCache:
    """Replies by key, read from ``path`` and appended to it (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._replies = self._load()

    def __len__(self) -> int:
        return len(self._replies)

    def _load(self) -> dict[str, Reply]:
        """Cached replies by key. A last line cut short by a killed run is dropped from the file
        (its request is made again), so the next record starts on a line of its own."""
        if not self.path.is_file():
            return {}
        text = self.path.read_text(encoding="utf-8")
        found = {}
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                found[str(record["key"])] = Reply.from_record(record)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
                if number == len(lines) and not text.endswith("\n"):
                    self.path.write_text(text[: len(text) - len(line)], encoding="utf-8")
                    break
                raise ValueError(
                    f"{self.path}:{number}: not a verdict record "
                    f'({{"key": ..., "reply": ..., "logprobs": optional}}): {error}'
                ) from None
        return found

    def get(self, key: str) -> Reply | None:
        """The cached reply, if any."""
        with self._lock:
            return self._replies.get(key)

    def add(self, key: str, model: str, reply: Reply) -> None:
        """Keep ``reply`` and append it to the file at once."""
        record = json.dumps({"key": key, "model": model, **reply.to_record()}) + "\n"
        with self._lock:
            self._replies[key] = reply
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(record)
