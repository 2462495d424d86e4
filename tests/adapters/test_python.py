"""The python adapter: a function as a summarizer."""

from __future__ import annotations

import sys
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
