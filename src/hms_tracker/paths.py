"""Where the packaged resources live, in a checkout and in an installed wheel.

In a checkout `templates/` and `migrations/` sit at the repository's top level; the wheel
packs them into the package directory. This module is the one place that knows both.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = PACKAGE_DIR.parent.parent


def _resource(name: str) -> Path:
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return _CHECKOUT_ROOT / name


TEMPLATES_DIR = _resource("templates")
MIGRATIONS_DIR = _resource("migrations")
STATIC_DIR = PACKAGE_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
LOCALE_DIR = PACKAGE_DIR / "locale"
