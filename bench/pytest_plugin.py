"""pytest plugin (entry point ``pytest11``): the ``sumbench`` fixture.

Imports nothing heavy until a test asks for the fixture, so installing sumbench does not slow
down unrelated test suites. See :mod:`bench.testing` for the helpers it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bench.testing import Evaluator


@pytest.fixture
def sumbench(tmp_path: Path) -> Evaluator:
    """Evaluate summarizers with sumbench; results go to a temporary folder unless ``out=``."""
    from bench.testing import Evaluator

    return Evaluator(tmp_path)
