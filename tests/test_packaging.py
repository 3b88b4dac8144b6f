"""Packaging: the wheel works on its own, and the Dockerfile refers to files that exist.

The wheel tests build with `python -m build --wheel --no-isolation` (the dev lock carries
hatchling and build), install with `pip install --no-deps --target`, and run the installed
package from an empty directory. Docker cannot run here, so the Dockerfile is checked by
reading it.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from babel.support import Translations

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "src" / "hms_tracker" / "locale"
VENDOR = REPO / "src" / "hms_tracker" / "static" / "vendor"
VENDOR_FILES = ("htmx.min.js", "designsystemet.css", "theme.css")


def _build_wheel(source: Path, out: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(out.glob("hms_tracker-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMS_")}
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the wheel ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [name for name in VENDOR_FILES if not (VENDOR / name).is_file()]
    assert not missing, f"{VENDOR} lacks {missing}: run `make assets` (needs npm) first"
    return _build_wheel(REPO, tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_wheel_carries_templates_migrations_static_files_and_catalogues(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    def inside(path: str) -> bool:
        return f"hms_tracker/{path}" in names

    for template in (REPO / "templates").rglob("*.html"):
        assert inside(f"templates/{template.relative_to(REPO / 'templates').as_posix()}")
    assert inside("templates/base.html")
    assert inside("migrations/env.py") and inside("migrations/script.py.mako")
    for version in (REPO / "migrations" / "versions").glob("*.py"):
        assert inside(f"migrations/versions/{version.name}")
    assert inside("static/app.css")
    for name in VENDOR_FILES:
        assert inside(f"static/vendor/{name}")
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.relative_to(LOCALE).with_suffix(".mo").as_posix()
        assert inside(f"locale/{mo}"), f"{mo} missing from the wheel"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "hms_tracker/cli.py" in names


@pytest.mark.slow
def test_installed_wheel_migrates_and_serves_from_an_empty_directory(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = _clean_env(
        PYTHONPATH=str(target), HMS_DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'hms.db'}"
    )

    def python(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # The installed copy is imported (not the checkout) and finds its resources inside it.
    where = python(
        "-c",
        "import json, hms_tracker, hms_tracker.paths as p; print(json.dumps([hms_tracker.__file__,"
        " str(p.TEMPLATES_DIR), str(p.MIGRATIONS_DIR), str(p.STATIC_DIR), str(p.LOCALE_DIR)]))",
    )
    assert where.returncode == 0, where.stderr
    package = target / "hms_tracker"
    module, templates, migrations, static, locale = json.loads(where.stdout)
    assert Path(module) == package / "__init__.py"
    assert Path(templates) == package / "templates"
    assert Path(migrations) == package / "migrations"
    assert Path(static) == package / "static" and Path(locale) == package / "locale"

    migrated = python("-m", "hms_tracker.cli", "migrate")
    assert migrated.returncode == 0, migrated.stderr

    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "hms_tracker.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)

        assert httpx.get(f"{base}/readyz", timeout=10).json()["database"] == "ok"
        login_page = httpx.get(f"{base}/login", timeout=10)
        assert login_page.status_code == 200
        assert 'name="csrf_token"' in login_page.text
        assert 'name="email"' in login_page.text and 'name="password"' in login_page.text
        css = httpx.get(f"{base}/static/app.css", timeout=10)
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]
        assert httpx.get(f"{base}/static/vendor/htmx.min.js", timeout=10).status_code == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    # The generated secret key went to var/ in the working directory, not into the package.
    assert (workdir / "var" / "secret_key").is_file()
    assert not (package / "var").exists()


def _copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy2(REPO / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po", "*.pot")
    for name in ("src", "templates", "migrations"):
        shutil.copytree(REPO / name, destination / name, ignore=ignore)
    return destination


EN_CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Logg inn"
msgstr "Log in"
"""


@pytest.mark.slow
def test_build_hook_compiles_catalogues_into_the_wheel_and_leaves_the_tree_alone(
    tmp_path: Path,
) -> None:
    project = _copy_project(tmp_path / "project")
    po = project / "src" / "hms_tracker" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(EN_CATALOGUE, encoding="utf-8")

    wheel = _build_wheel(project, tmp_path / "dist")

    with zipfile.ZipFile(wheel) as archive:
        mo = archive.read("hms_tracker/locale/en/LC_MESSAGES/messages.mo")
    assert Translations(io.BytesIO(mo)).gettext("Logg inn") == "Log in"
    assert not list(project.rglob("*.mo"))  # compiled outside the source tree


@pytest.mark.slow
def test_build_hook_builds_a_wheel_without_any_catalogue(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")
    shutil.rmtree(project / "src" / "hms_tracker" / "locale", ignore_errors=True)

    wheel = _build_wheel(project, tmp_path / "dist")

    names = zipfile.ZipFile(wheel).namelist()
    assert "hms_tracker/templates/base.html" in names
    assert not [n for n in names if n.endswith(".mo")]


# --- the Dockerfile -----------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int


def _instructions() -> list[Instruction]:
    text = (REPO / "Dockerfile").read_text()
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current, "Dockerfile ends inside a continued line"
    result: list[Instruction] = []
    stage = -1
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append(Instruction(keyword, arguments.strip(), stage))
    return result


def _copy_parts(arguments: str) -> tuple[dict[str, str], list[str]]:
    flags: dict[str, str] = {}
    words = shlex.split(arguments)
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    rest = " ".join(words)
    if rest.startswith("["):
        words = json.loads(rest)
    return flags, words


def _stage_names(instructions: list[Instruction]) -> list[str]:
    names = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.arguments.split()
            names.append(words[2] if len(words) >= 3 and words[1].upper() == "AS" else "")
    return names


def _dockerignore_excludes(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a directory
    matches everything below it; `!` re-includes."""
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(
            fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c, pattern.replace("**/", ""))
            for c in candidates
        ):
            excluded = not negate
    return excluded


def _tracked_files(under: Path) -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", "--", str(under.relative_to(REPO)) or "."],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.split()
    return [p.relative_to(REPO).as_posix() for p in under.rglob("*") if p.is_file()]


def test_every_file_the_dockerfile_copies_exists_and_reaches_the_build_context() -> None:
    instructions = _instructions()
    stage_names = _stage_names(instructions)
    copies = [ins for ins in instructions if ins.keyword in ("COPY", "ADD")]
    assert copies
    checked = 0
    for ins in copies:
        flags, words = _copy_parts(ins.arguments)
        assert len(words) >= 2, ins
        if "from" in flags:
            assert flags["from"] in stage_names[: ins.stage], f"unknown stage in {ins}"
            continue
        for source in words[:-1]:
            assert not source.startswith(("/", "..")) and "://" not in source, ins
            matches = list(REPO.glob(source.rstrip("/"))) if "*" in source else [REPO / source]
            assert matches and all(m.exists() for m in matches), f"{source} is missing ({ins})"
            for match in matches:
                relative = match.relative_to(REPO).as_posix()
                assert not _dockerignore_excludes(relative), f".dockerignore drops {relative}"
                if match.is_dir():
                    dropped = [f for f in _tracked_files(match) if _dockerignore_excludes(f)]
                    assert not dropped, f".dockerignore drops files the build needs: {dropped}"
            checked += 1
    assert checked >= 5


def test_dockerignore_check_notices_an_excluded_file() -> None:
    """The check above can fail: these paths are excluded."""
    assert _dockerignore_excludes(".venv/bin/python")
    assert _dockerignore_excludes("src/hms_tracker/static/vendor/htmx.min.js")
    assert _dockerignore_excludes("src/hms_tracker/__pycache__/cli.cpython-311.pyc")
    assert not _dockerignore_excludes("src/hms_tracker/static/app.css")


def test_dockerfile_builds_assets_then_python_and_runs_as_a_non_root_user() -> None:
    instructions = _instructions()
    froms = [ins.arguments for ins in instructions if ins.keyword == "FROM"]
    assert len(froms) >= 3
    assert froms[0].startswith("node:")
    assert all(f.startswith("python:3.11-slim") for f in froms[1:])
    runs = " ".join(ins.arguments for ins in instructions if ins.keyword == "RUN")
    assert "npm ci" in runs and "npm run build" in runs
    assert "--require-hashes -r requirements.lock" in runs
    assert "build --wheel" in runs

    runtime = [ins for ins in instructions if ins.stage == len(froms) - 1]
    users = [ins.arguments for ins in runtime if ins.keyword == "USER"]
    assert users, "the runtime stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(ins.keyword == "HEALTHCHECK" and "/healthz" in ins.arguments for ins in runtime)
    assert any(ins.keyword == "EXPOSE" and "8000" in ins.arguments.split() for ins in runtime)

    (cmd,) = [ins.arguments for ins in runtime if ins.keyword in ("CMD", "ENTRYPOINT")][-1:]
    command = " ".join(json.loads(cmd)) if cmd.startswith("[") else cmd
    assert "hms-tracker migrate &&" in command
    assert command.index("hms-tracker migrate") < command.index("hms-tracker serve")
    assert "--host 0.0.0.0" in command and "--port 8000" in command

    envs = " ".join(ins.arguments for ins in instructions if ins.keyword in ("ENV", "ARG"))
    assert "HMS_SECRET_KEY" not in envs  # no secret baked into the image
    assert "HMS_DATABASE_URL" not in envs  # it comes from the environment at run time
