#!/usr/bin/env python3
"""Run OCA's ``oca-checks-odoo-module`` on this repository, whose root is the
add-on itself.

The checker looks for a module's manifest below the git root, never at the
root: on this repository it finds nothing and reports nothing. This wrapper
makes the checker's "top" the folder above the repository, so the root is the
module, and passes the manifest. Everything else is the checker's own."""

import os
import sys

from oca_pre_commit_hooks import cli, utils

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def top_path(path):
    return os.path.dirname(ROOT)


utils.top_path = top_path
sys.exit(cli.main([*sys.argv[1:], os.path.join(ROOT, "__manifest__.py")]))
