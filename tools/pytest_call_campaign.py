"""pytest plugin: pytest-odoo from the repository root.

Loaded by ``[tool.pytest.ini_options]`` in pyproject.toml (a conftest.py at
the root would be imported as part of the add-on's package under the wrong
name).

Odoo imports this add-on as ``odoo.addons.call_campaign``, whatever the
folder of the clone is called; pytest-odoo names test modules after the
folder. Here pytest names them after the add-on, the add-on is reachable
through ``.local/addons/call_campaign`` (the harness's link to this folder),
and HTTP tests (tours) run where a browser exists. See README, "Run the tests".
"""

import os
import shutil
from pathlib import Path

import _pytest.pathlib

ADDON = "call_campaign"
ROOT = Path(__file__).resolve().parent.parent
LOCAL_ADDONS = ROOT / ".local" / "addons"


def _link_addon():
    link = LOCAL_ADDONS / ADDON
    if not link.is_symlink():
        LOCAL_ADDONS.mkdir(parents=True, exist_ok=True)
        os.symlink("../..", link)
    return LOCAL_ADDONS


def _named_after_the_addon(resolve):
    def resolve_pkg_root_and_module_name(path, *args, **kwargs):
        pkg_root, module_name = resolve(path, *args, **kwargs)
        try:
            relative = Path(path).resolve().relative_to(ROOT)
        except ValueError:
            return pkg_root, module_name
        parts = [*relative.parent.parts, relative.stem]
        if parts[-1] == "__init__":
            parts.pop()
        return pkg_root, ".".join(["odoo", "addons", ADDON, *parts])

    return resolve_pkg_root_and_module_name


_pytest.pathlib.resolve_pkg_root_and_module_name = _named_after_the_addon(
    _pytest.pathlib.resolve_pkg_root_and_module_name
)


def pytest_configure(config):
    addons = str(_link_addon())
    try:
        import odoo.addons
    except ImportError:
        return
    if addons not in odoo.addons.__path__:
        odoo.addons.__path__.append(addons)
    if shutil.which("chromium") or shutil.which("google-chrome"):
        config.option.odoo_http = True
