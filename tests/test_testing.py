"""The pytest plugin: the README example runs as written; failures show the numbers."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

pytest_plugins = ["pytester"]


def readme_pytest_example() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Use it in your tests (pytest)") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README has no pytest example"
    return match.group(1)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("tasks", "references"):
        (pytester.path / name).symlink_to(REPO / name)
    (pytester.path / "results").mkdir()
    (pytester.path / "results" / "baseline").symlink_to(REPO / "results" / "baseline")
    return pytester


@pytest.mark.slow
def test_readme_example_runs_as_written(project: pytest.Pytester) -> None:
    project.makepyfile(test_my_summarizer=readme_pytest_example())
    result = project.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.slow  # a pytest subprocess importing sumbench: ~4 s
def test_failing_minimum_shows_the_table(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_bad="""
def terse(request):
    return "Talks."

def test_terse(sumbench):
    result = sumbench.evaluate(terse, name="terse", tasks="tasks", systems=["lead"])
    result.assert_min(rouge1_f=30)
"""
    )
    result = project.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*terse: rouge1_f = * < 30*", "*| System | R-1*", "*| lead |*"])


@pytest.mark.slow  # a pytest subprocess importing sumbench: ~4 s
def test_regression_against_a_baseline_system_shows_the_check_report(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_regress="""
def terse(request):
    return request.documents[0].text.split()[0]

def test_terse(sumbench):
    result = sumbench.evaluate(terse, name="terse", tasks="tasks")
    result.assert_no_regression("results/baseline", against="lead")
"""
    )
    result = project.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sumbench check failed*", "*regression*terse*"])
