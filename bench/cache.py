"""The generation cache: summaries keyed by (adapter, version, parameters, request), shared
across runs, so adding a scorer or re-running a report never generates again.

One JSON file per entry under ``<cache>/<key[:2]>/<key>.json``, written atomically; entries are
never modified, so concurrent runs can share a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from bench.request import Summary, SummaryRequest
from bench.store import write_atomic

_SECRET = re.compile(r"(api_?key|token|secret|password)$", re.IGNORECASE)


def default_cache_dir() -> Path:
    """``$SUMBENCH_CACHE``, else ``$XDG_CACHE_HOME/sumbench``, else ``~/.cache/sumbench``."""
    if os.environ.get("SUMBENCH_CACHE"):
        return Path(os.environ["SUMBENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sumbench" / "generations"


def public_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters safe to write down: secret-looking names dropped, environment values
    (``env``) replaced by a hash so they still distinguish configurations."""
    public = {k: v for k, v in params.items() if not _SECRET.search(k)}
    if "env" in public:
        digest = hashlib.sha256(str(public["env"]).encode()).hexdigest()[:12]
        public["env"] = f"<redacted sha256:{digest}>"
    return public


def cache_key(
    adapter: str,
    version: str,
    params: dict[str, Any],
    identity: dict[str, str],
    request: SummaryRequest,
) -> str:
    """SHA-256 over the adapter, its version, public parameters, identity and the request."""
    payload = json.dumps(
        {
            "adapter": adapter,
            "version": version,
            "params": public_params(params),
            "identity": identity,
            "request": request.digest(),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class GenerationCache:
    """A folder of cached summaries."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Summary | None:
        """The cached summary, or None (a corrupt entry counts as missing)."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Summary(text=data["text"], meta=data.get("meta") or {})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, summary: Summary) -> None:
        """Store a summary (atomically; an existing entry is replaced by an equal one)."""
        text = json.dumps({"text": summary.text, "meta": summary.meta}, ensure_ascii=False)
        write_atomic(self._path(key), text, durable=False)  # a torn entry reads as a miss
