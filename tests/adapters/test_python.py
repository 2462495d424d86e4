"""The python adapter: a function as a summarizer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.adapters import adapters
from bench.adapters.python import PythonFunction, load_function
from bench.request import RequestDocument, Summary, SummaryRequest

REQUEST = SummaryRequest(
    task_id="t",
    instructions="Summarize.",
    budget=5,
    documents=(RequestDocument(id="d1", text="One two three. Four five six."),),
)


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "my_summ.py").write_text(
        "from bench.request import Summary\n"
        "def first(request):\n    return request.documents[0].text.split('.')[0]\n"
        "def shout(text):\n    return text.upper()\n"
        "def rich(request):\n    return Summary(text='x', meta={'tokens': 3})\n"
        "def broken(request):\n    return 42\n"
        "class Holder:\n    @staticmethod\n    def method(request):\n        return 'held'\n"
        "VALUE = 3\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_summ"
    sys.modules.pop("my_summ", None)


def test_module_function_receives_the_request(module: str) -> None:
    adapter = adapters.create("python", function=f"{module}:first")
    assert adapter.summarize(REQUEST) == Summary(text="One two three")


def test_text_input_passes_the_documents_text(module: str) -> None:
    assert (
        PythonFunction(f"{module}:shout", input="text").summarize(REQUEST).text
        == "ONE TWO THREE. FOUR FIVE SIX."
    )


def test_summary_results_keep_their_meta_and_dotted_names_resolve(module: str) -> None:
    assert PythonFunction(f"{module}:rich").summarize(REQUEST).meta == {"tokens": 3}
    assert PythonFunction(f"{module}:Holder.method").summarize(REQUEST).text == "held"


def test_wrong_return_type_is_a_clear_error(module: str) -> None:
    with pytest.raises(TypeError, match="broken returned int; expected str or Summary"):
        PythonFunction(f"{module}:broken").summarize(REQUEST)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "must be 'module:function'"),
        ("missing_module_xyz:f", "cannot import module 'missing_module_xyz'"),
        ("my_summ:nothing", "has no attribute 'nothing'"),
        ("my_summ:VALUE", "is not callable"),
    ],
)
def test_bad_function_specs_say_what_is_expected(module: str, spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_function(spec)


def test_unknown_input_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="input must be one of request, text"):
        PythonFunction(lambda r: "x", input="html")


def test_editing_the_function_changes_the_cache_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "edit_me.py").write_text("def f(request):\n    return 'a'\n")
    before = PythonFunction("edit_me:f").cache_identity()
    sys.modules.pop("edit_me", None)
    (tmp_path / "edit_me.py").write_text("def f(request):\n    return 'b'\n")
    after = PythonFunction("edit_me:f").cache_identity()
    sys.modules.pop("edit_me", None)
    assert before != after and set(before) == {"function_sha256"}


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current folder is ``tmp_path``, which is not on ``sys.path`` (as under the
    ``sumbench`` console script); sys.path and the modules imported are restored after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    yield tmp_path
    for name in ("cwd_summ", "needy_summ"):
        sys.modules.pop(name, None)


def test_a_module_in_the_current_folder_is_imported_without_pythonpath(elsewhere: Path) -> None:
    (elsewhere / "cwd_summ.py").write_text("def summarize(text):\n    return text[:13]\n")
    adapter = adapters.create("python", function="cwd_summ:summarize", input="text")
    assert adapter.summarize(REQUEST).text == "One two three"
    assert set(adapter.cache_identity()) == {"function_sha256"}  # its source is hashed
    assert sys.path[-1] == str(elsewhere)  # after the installed modules: shadows none


def test_a_module_found_nowhere_says_where_it_was_looked_for(elsewhere: Path) -> None:
    with pytest.raises(
        ValueError, match="no module named 'nowhere_summ' in the current folder"
    ) as e:
        load_function("nowhere_summ:summarize")
    assert f"looked in: {elsewhere}, " in str(e.value) and "PYTHONPATH" in str(e.value)


def test_a_module_whose_own_import_fails_names_what_it_imports(elsewhere: Path) -> None:
    (elsewhere / "needy_summ.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(ValueError, match="No module named 'no_such_dependency_xyz'"):
        load_function("needy_summ:summarize")
