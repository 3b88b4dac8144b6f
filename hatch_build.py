"""Hatch build hook: what the wheel carries besides the Python package.

- `templates/` and `migrations/` live at the repository's top level and are packed into the
  package directory (`hms_tracker/templates`, `hms_tracker/migrations`), where
  `hms_tracker.paths` looks first.
- The message catalogues (`locale/<lang>/LC_MESSAGES/*.po`, in git) are compiled to `.mo`
  into a temporary directory and packed beside them; the checkout is not touched. Without
  any `.po` file the wheel is built without translations and a warning says so.
- `static/vendor/` (from npm, git-ignored) is packed through `artifacts` in pyproject.toml;
  a warning says when it is missing.

Editable installs (`pip install -e .`) get none of this: a checkout finds everything where
it is, and copies in site-packages would only go stale.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "hms_tracker"
TOP_LEVEL_RESOURCES = ("templates", "migrations")
VENDOR_FILES = ("htmx.min.js", "designsystemet.css", "theme.css")


def _resource_files(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._tmp: str | None = None
        if version == "editable":
            return
        root = Path(self.root)
        force_include: dict[str, str] = build_data["force_include"]
        for name in TOP_LEVEL_RESOURCES:
            for path in _resource_files(root / name):
                force_include[str(path)] = f"{PACKAGE}/{path.relative_to(root).as_posix()}"
        self._compile_catalogues(root / "src" / PACKAGE / "locale", force_include)
        vendor = root / "src" / PACKAGE / "static" / "vendor"
        missing = [name for name in VENDOR_FILES if not (vendor / name).is_file()]
        if missing:
            self.app.display_warning(
                f"static/vendor lacks {', '.join(missing)} (run `make assets`, needs npm); "
                "the wheel works without them, but with no htmx and no Designsystemet styles."
            )

    def _compile_catalogues(self, locale_dir: Path, force_include: dict[str, str]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        po_files = sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
        if not po_files:
            self.app.display_warning(
                f"No message catalogues (*.po) under {locale_dir}: the wheel has no "
                "translations and shows the Norwegian message ids."
            )
            return
        self._tmp = tempfile.mkdtemp(prefix="hms-tracker-mo-")
        for po_path in po_files:
            relative = po_path.relative_to(locale_dir).with_suffix(".mo")
            mo_path = Path(self._tmp) / relative
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=relative.parts[0])
            with mo_path.open("wb") as fh:
                write_mo(fh, catalog)
            force_include[str(mo_path)] = f"{PACKAGE}/locale/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)  # type: ignore[arg-type]
