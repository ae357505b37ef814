"""PEP 517 build backend: whool, building the add-on only.

whool packages every file git knows and names the distribution after the
folder it builds in. This repository's root is the add-on, in a clone of any
name, next to a developer harness. So the wheel (and sdist) is built from a
staged copy named ``call_campaign`` holding only the add-on's files, with a
PKG-INFO giving whool the name and the version computed from this
repository's git history (OCA's post-release suffix, e.g. 18.0.1.0.0.3).
The sdist it makes builds with plain whool.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from manifestoo_core.metadata import metadata_from_addon_dir
from whool import buildapi

ADDON = "call_campaign"
ROOT = Path(__file__).resolve().parent.parent
# the repository's developer harness: not part of the add-on
EXCLUDED = (
    ".ci/",
    "bench/",
    "docs/",
    "tools/",
    ".editorconfig",
    ".eslintrc.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".prettierrc.yml",
    ".pylintrc",
    ".pylintrc-mandatory",
    "README.md",
    "test-requirements.txt",
)


def _version():
    """The manifest's version with the series' git post-release suffix."""
    return metadata_from_addon_dir(ROOT)["Version"]


@contextmanager
def _staged():
    """The add-on's own files in a folder named after it, with PKG-INFO."""
    files = subprocess.check_output(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        text=True,
    ).splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / ADDON
        for name in files:
            if name.startswith(EXCLUDED) or not (ROOT / name).is_file():
                continue
            (staged / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, staged / name)
        # staged, the add-on builds with whool as it is (e.g. from the sdist)
        pyproject = staged / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text(encoding="utf-8")
            .replace(
                'build-backend = "whool_backend"', 'build-backend = "whool.buildapi"'
            )
            .replace('backend-path = ["tools"]\n', ""),
            encoding="utf-8",
        )
        (staged / "PKG-INFO").write_text(
            f"Metadata-Version: 2.1\nName: odoo-addon-{ADDON}\nVersion: {_version()}\n",
            encoding="utf-8",
        )
        cwd = os.getcwd()
        os.chdir(staged)
        try:
            yield
        finally:
            os.chdir(cwd)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with _staged():
        return buildapi.build_wheel(
            wheel_directory, config_settings, metadata_directory
        )


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = os.path.abspath(sdist_directory)
    with _staged():
        return buildapi.build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    metadata_directory = os.path.abspath(metadata_directory)
    with _staged():
        return buildapi.prepare_metadata_for_build_wheel(
            metadata_directory, config_settings
        )
