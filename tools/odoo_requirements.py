#!/usr/bin/env python3
"""List (and optionally pip-install) the missing requirements of an Odoo source tree.

Usage: odoo_requirements.py [--install] path/to/odoo/requirements.txt

Odoo 18's requirements.txt pins per Python version.  On Python >= 3.11 the
pins whose markers match Python 3.12 are taken (they exist as wheels for
3.11 too, the 3.11 pins often need a compiler).  python-ldap is skipped (it
needs system headers and only serves auth_ldap).  A requirement counts as
missing only when no distribution of that name is installed at all, so an
existing environment is never up- or downgraded.
"""

import argparse
import importlib.metadata
import subprocess
import sys

try:
    from packaging.markers import default_environment
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always vendors packaging
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

SKIP = {"python-ldap"}
# a requirement is satisfied by any of these distributions
ALTERNATIVES = {"psycopg2": ["psycopg2", "psycopg2-binary"]}


def marker_environment():
    env = default_environment()
    if sys.version_info >= (3, 11):
        env["python_version"] = "3.12"
        env["python_full_version"] = "3.12.0"
    return env


def wanted_requirements(path):
    env = marker_environment()
    result = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                req = Requirement(line)
            except InvalidRequirement:
                print(f"skipping unparsable requirement: {line}", file=sys.stderr)
                continue
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            if canonicalize_name(req.name) in SKIP:
                continue
            result.append(req)
    return result


def installed(name):
    for candidate in ALTERNATIVES.get(canonicalize_name(name), [name]):
        try:
            importlib.metadata.version(candidate)
            return True
        except importlib.metadata.PackageNotFoundError:
            continue
    return False


def pip_install(specs):
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    return subprocess.call(cmd + specs) == 0


def spec_of(req):
    return f"{req.name}{req.specifier}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements")
    parser.add_argument("--install", action="store_true")
    args = parser.parse_args()
    missing = [
        r for r in wanted_requirements(args.requirements) if not installed(r.name)
    ]
    if not args.install:
        for req in missing:
            print(spec_of(req))
        return 0
    if not missing:
        return 0
    specs = [spec_of(r) for r in missing]
    print(
        f"[call_campaign] installing {len(specs)} missing Odoo requirement(s): "
        + " ".join(specs),
        file=sys.stderr,
    )
    if pip_install(specs):
        return 0
    # one by one, so that one failing build does not block the others
    failed = []
    for req in missing:
        if installed(req.name) or pip_install([spec_of(req)]):
            continue
        if canonicalize_name(req.name) == "psycopg2" and pip_install(
            ["psycopg2-binary"]
        ):
            continue
        failed.append(spec_of(req))
    if failed:
        print("[call_campaign] could not install: " + " ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
