#!/usr/bin/env python3
"""Static checks of the call_campaign add-on (no Odoo server, no database needed).

Usage: static_checks.py [--root DIR] [--result-file FILE] [--skip-lint]

Every check prints ``PASS <name>`` or one ``FAIL <name>: <reason> (<file>:<line>)``
line per problem.  With --result-file, ``{"passed": N, "failed": N}`` is written
there.  Exit status: 0 when every check passed, 1 otherwise.

Pure Python; lxml is used when importable (for line numbers), else
xml.etree.  ruff and pylint-odoo are pip-installed into this interpreter when
missing.  When an Odoo source tree can be located (without importing odoo:
$CC_ODOO_ADDONS_PATH, the `odoo` package importable by this interpreter,
$ODOO_SRC, or .local/odoo), the manifests and models of the add-on's
dependencies are read from it; otherwise a built-in table of Odoo 18
dependencies is used.
"""

import argparse
import ast
import csv
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

try:
    from lxml import etree as ET

    HAVE_LXML = True
except ImportError:  # pragma: no cover - depends on the interpreter
    import xml.etree.ElementTree as ET

    HAVE_LXML = False

MODULE = "call_campaign"
RUFF_REQ = os.environ.get("CC_RUFF_REQ", "ruff==0.17.6")
PYLINT_ODOO_REQ = os.environ.get("CC_PYLINT_ODOO_REQ", "pylint-odoo==10.0.12")
DATA_DIRS = ("data", "views", "security", "demo", "wizards", "wizard", "report")
SKIP_DIRS = {
    ".git",
    ".local",
    "__pycache__",
    "node_modules",
    "dist",
    "build",
    ".ruff_cache",
}
SUBVIEW_TAGS = {
    "list",
    "tree",
    "form",
    "kanban",
    "graph",
    "pivot",
    "calendar",
    "activity",
}
BASE_FIELDS = {
    "id",
    "display_name",
    "create_date",
    "create_uid",
    "write_date",
    "write_uid",
}

# Direct dependencies of Odoo 18 community modules, used when no Odoo tree is found.
KNOWN_DEPENDS = {
    "auth_signup": ["base_setup", "mail", "web"],
    "base": [],
    "base_setup": ["base", "web"],
    "bus": ["base", "web"],
    "calendar": ["base", "mail"],
    "contacts": ["base", "mail"],
    "crm": [
        "base_setup",
        "sales_team",
        "mail",
        "calendar",
        "resource",
        "utm",
        "web_tour",
        "contacts",
        "digest",
        "phone_validation",
    ],
    "digest": ["mail", "portal", "resource"],
    "html_editor": ["base", "bus", "web"],
    "http_routing": ["web"],
    "iap": ["web", "base_setup"],
    "iap_mail": ["iap", "mail"],
    "mail": ["base", "base_setup", "bus", "web_tour", "html_editor"],
    "phone_validation": ["base", "mail"],
    "portal": ["web", "web_editor", "http_routing", "mail", "auth_signup"],
    "resource": ["base", "web"],
    "sales_team": ["base", "mail"],
    "sms": ["base", "iap_mail", "mail", "phone_validation"],
    "utm": ["base", "web"],
    "web": ["base"],
    "web_editor": ["bus", "web", "html_editor"],
    "web_tour": ["web"],
}

# Fields of well-known mixins, used when no Odoo tree is found.
KNOWN_MIXIN_FIELDS = {
    "mail.thread": {
        "message_ids",
        "message_follower_ids",
        "message_partner_ids",
        "message_is_follower",
        "message_needaction",
        "message_needaction_counter",
        "message_has_error",
        "message_has_error_counter",
        "message_attachment_count",
        "message_has_sms_error",
        "has_message",
        "website_message_ids",
    },
    "mail.activity.mixin": {
        "activity_ids",
        "activity_state",
        "activity_user_id",
        "activity_type_id",
        "activity_type_icon",
        "activity_date_deadline",
        "my_activity_date_deadline",
        "activity_summary",
        "activity_exception_decoration",
        "activity_exception_icon",
        "activity_calendar_event_id",
    },
    "utm.mixin": {"campaign_id", "source_id", "medium_id"},
    "mail.thread.cc": {"email_cc"},
    "mail.thread.blacklist": {"email_normalized", "is_blacklisted", "message_bounce"},
    "mail.thread.phone": {
        "phone_sanitized",
        "phone_sanitized_blacklisted",
        "phone_blacklisted",
        "mobile_blacklisted",
        "phone_mobile_search",
    },
    "mail.tracking.duration.mixin": {"duration_tracking"},
    "avatar.mixin": {
        "avatar_1920",
        "avatar_1024",
        "avatar_512",
        "avatar_256",
        "avatar_128",
    },
    "image.mixin": {"image_1920", "image_1024", "image_512", "image_256", "image_128"},
    "phone.validation.mixin": set(),
}
KNOWN_MIXIN_FIELDS["mail.thread.main.attachment"] = {"message_main_attachment_id"}


class Check:
    def __init__(self, name):
        self.name = name
        self.problems = []

    def fail(self, reason, path=None, line=None):
        self.problems.append((reason, path, line))


def rel(path, root):
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path


def walk_files(root, exts):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for fn in sorted(filenames):
            if fn.endswith(exts):
                yield os.path.join(dirpath, fn)


def parse_xml(path):
    """Return (tree, error) where error is (message, line)."""
    try:
        if HAVE_LXML:
            parser = ET.XMLParser(remove_comments=False, resolve_entities=False)
            return ET.parse(path, parser), None
        return ET.parse(path), None
    except ET.ParseError as e:  # xml.etree and lxml (XMLSyntaxError is a ParseError)
        line = (
            getattr(e, "lineno", None) or (getattr(e, "position", None) or (None,))[0]
        )
        return None, (str(e), line)
    except OSError as e:
        return None, (str(e), None)


def line_of(el):
    return getattr(el, "sourceline", None)


def is_element(el):
    return isinstance(el.tag, str)


# ---------------------------------------------------------------------------
# Odoo source discovery (no import of odoo)
# ---------------------------------------------------------------------------


def odoo_addons_dirs(root):
    env = os.environ.get("CC_ODOO_ADDONS_PATH")
    if env:
        dirs = [d for d in env.split(",") if d and os.path.isdir(d)]
        if dirs:
            return dirs
    candidates = []
    try:
        spec = importlib.util.find_spec("odoo")
    except (ImportError, ValueError):
        spec = None
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            if os.path.isfile(os.path.join(loc, "release.py")):
                candidates.append(os.path.dirname(loc))
    for src in (os.environ.get("ODOO_SRC"), os.path.join(root, ".local", "odoo")):
        if src and os.path.isfile(os.path.join(src, "odoo", "release.py")):
            candidates.append(src)
    for src in candidates:
        dirs = [
            d
            for d in (os.path.join(src, "odoo", "addons"), os.path.join(src, "addons"))
            if os.path.isdir(d)
        ]
        if dirs:
            return dirs
    return []


def read_manifest(path):
    with open(path, encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def dependency_closure(depends, addons_dirs):
    """Return (set of modules, {module: dir or None})."""
    module_dirs = {}

    def find(mod):
        if mod in module_dirs:
            return module_dirs[mod]
        module_dirs[mod] = None
        for d in addons_dirs:
            path = os.path.join(d, mod)
            if os.path.isfile(os.path.join(path, "__manifest__.py")):
                module_dirs[mod] = path
                break
        return module_dirs[mod]

    seen = set()
    todo = list(depends) + ["base"]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        path = find(mod)
        deps = None
        if path:
            try:
                deps = read_manifest(os.path.join(path, "__manifest__.py")).get(
                    "depends", []
                )
            except (OSError, SyntaxError, ValueError):
                deps = None
        if deps is None:
            deps = KNOWN_DEPENDS.get(mod, [])
        todo.extend(deps)
    return seen, module_dirs


# ---------------------------------------------------------------------------
# Python models (ast)
# ---------------------------------------------------------------------------


class ModelClass:
    __slots__ = ("key", "parents", "fields", "path", "line", "declares")

    def __init__(self, key, parents, fields, path, line, declares):
        self.key = key
        self.declares = declares  # the class sets _name
        self.parents = parents
        self.fields = fields
        self.path = path
        self.line = line


def _const(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _is_fields_call(value):
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "fields"
        and func.attr[:1].isupper()
    )


def parse_model_classes(path):
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return []
    result = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        name = inherit = inherits = None
        fields = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            if target.id == "_name":
                name = _const(value)
            elif target.id == "_inherit":
                inherit = _const(value)
            elif target.id == "_inherits":
                inherits = _const(value)
            elif _is_fields_call(value):
                fields[target.id] = stmt.lineno
        if isinstance(inherit, str):
            inherit = [inherit]
        inherit = [i for i in (inherit or []) if isinstance(i, str)]
        if not isinstance(name, str):
            name = None
        if name is None and not inherit:
            continue
        key = name or inherit[0]
        parents = [i for i in inherit if i != key]
        if isinstance(inherits, dict):
            parents += [p for p in inherits if isinstance(p, str)]
        result.append(
            ModelClass(
                key,
                parents,
                fields,
                path,
                node.lineno,
                name is not None and name not in inherit,
            )
        )
    return result


def python_files(root):
    for path in walk_files(root, (".py",)):
        parts = rel(path, root).split(os.sep)
        if (
            parts[0] in ("tools", "tests", "bench", "migrations")
            or parts[-1] == "__manifest__.py"
        ):
            continue
        yield path


class ModelIndex:
    def __init__(self, local_classes, external_classes, external_known):
        self.classes = {}
        for cls in external_classes + local_classes:
            self.classes.setdefault(cls.key, []).append(cls)
        self.local_names = {c.key for c in local_classes}
        # models declared (_name) by the add-on itself
        self.declared = set()
        self.external_known = external_known

    def fields_of(self, model, _seen=None):
        """Return (fields, complete) for model."""
        seen = _seen if _seen is not None else set()
        if model in seen:
            return set(), True
        seen.add(model)
        fields = set(BASE_FIELDS)
        complete = True
        classes = self.classes.get(model)
        if not classes:
            if model in KNOWN_MIXIN_FIELDS and not self.external_known:
                return fields | KNOWN_MIXIN_FIELDS[model], True
            return fields, False
        for cls in classes:
            fields.update(cls.fields)
            for parent in cls.parents:
                pfields, pcomplete = self.fields_of(parent, seen)
                fields |= pfields
                complete = complete and pcomplete
        return fields, complete


def build_model_index(root, closure_dirs):
    local = []
    for path in python_files(root):
        local.extend(parse_model_classes(path))
    external = []
    for mod_dir in closure_dirs:
        for path in walk_files(mod_dir, (".py",)):
            parts = rel(path, mod_dir).split(os.sep)
            if parts[0] in (
                "tests",
                "controllers",
                "migrations",
                "upgrades",
                "populate",
            ):
                continue
            external.extend(parse_model_classes(path))
    index = ModelIndex(local, external, external_known=bool(closure_dirs))
    index.declared = {cls.key for cls in local if cls.declares}
    return index


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


class Addon:
    def __init__(self, root):
        self.root = root
        self.manifest = None
        self.manifest_error = None
        try:
            self.manifest = read_manifest(os.path.join(root, "__manifest__.py"))
            if not isinstance(self.manifest, dict):
                self.manifest_error = "__manifest__.py is not a dict"
                self.manifest = None
        except FileNotFoundError:
            self.manifest_error = "__manifest__.py not found"
        except (SyntaxError, ValueError) as e:
            self.manifest_error = (
                f"__manifest__.py does not parse with ast.literal_eval: {e}"
            )
        m = self.manifest or {}
        self.depends = [d for d in m.get("depends", []) if isinstance(d, str)]
        self.addons_dirs = odoo_addons_dirs(root)
        self.closure, module_dirs = dependency_closure(self.depends, self.addons_dirs)
        self.closure_dirs = [
            module_dirs[m] for m in sorted(self.closure) if module_dirs.get(m)
        ]
        self.xml_files = [
            p
            for p in walk_files(root, (".xml",))
            if rel(p, root).split(os.sep)[0] not in ("tools",)
        ]
        self.csv_files = list(walk_files(root, (".csv",)))
        self.data_files = []  # manifest data + demo, existing, relative
        for key in ("data", "demo"):
            for f in m.get(key, []) or []:
                if isinstance(f, str) and os.path.isfile(os.path.join(root, f)):
                    self.data_files.append(f)
        for f in self.xml_files + self.csv_files:
            r = rel(f, root)
            if r.split(os.sep)[0] in DATA_DIRS and r not in self.data_files:
                self.data_files.append(r)
        self._trees = {}

    def tree(self, relpath):
        if relpath not in self._trees:
            self._trees[relpath] = parse_xml(os.path.join(self.root, relpath))[0]
        return self._trees[relpath]


def check_manifest(addon):
    c = Check("manifest")
    path = "__manifest__.py"
    if addon.manifest is None:
        c.fail(addon.manifest_error, path)
        return c
    m = addon.manifest
    version = m.get("version", "")
    if not re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", str(version)):
        c.fail(f"version {version!r} is not 18.0.x.y.z", path)
    if m.get("license") != "LGPL-3":
        c.fail(f"license {m.get('license')!r} is not 'LGPL-3'", path)
    for key in ("name", "author", "depends"):
        if not m.get(key):
            c.fail(f"missing key {key!r}", path)
    if not isinstance(m.get("depends", []), list):
        c.fail("'depends' is not a list", path)
    return c


def check_manifest_files(addon):
    c = Check("manifest-files")
    if addon.manifest is None:
        c.fail("manifest unreadable", "__manifest__.py")
        return c
    m = addon.manifest
    listed = set()
    for key in ("data", "demo"):
        entries = m.get(key, []) or []
        seen = set()
        for f in entries:
            if not isinstance(f, str):
                c.fail(f"{key}: entry {f!r} is not a string", "__manifest__.py")
                continue
            if f in seen:
                c.fail(f"{key}: {f} is listed twice", "__manifest__.py")
            seen.add(f)
            listed.add(os.path.normpath(f))
            if not os.path.isfile(os.path.join(addon.root, f)):
                c.fail(f"{key}: {f} does not exist", "__manifest__.py")
    assets = m.get("assets", {}) or {}
    if not isinstance(assets, dict):
        c.fail("assets is not a dict", "__manifest__.py")
        assets = {}
    prefix = MODULE + "/"
    for bundle, entries in assets.items():
        for entry in entries or []:
            if isinstance(entry, (tuple, list)):
                if not entry or entry[0] == "include":
                    continue
                target = entry[-1]
            else:
                target = entry
            if not isinstance(target, str) or not target.startswith(prefix):
                continue
            pattern = os.path.join(addon.root, target[len(prefix) :])
            if not glob.glob(pattern, recursive=True):
                c.fail(
                    f"assets[{bundle!r}]: {target} matches no file", "__manifest__.py"
                )
    for f in addon.xml_files + addon.csv_files:
        r = os.path.normpath(rel(f, addon.root))
        if r.split(os.sep)[0] in DATA_DIRS and r not in listed:
            c.fail(f"{r} is not listed in the manifest data/demo", r)
    return c


def check_xml_parse(addon):
    c = Check("xml-parse")
    for f in addon.xml_files:
        _tree, err = parse_xml(f)
        if err:
            c.fail(f"XML does not parse: {err[0]}", rel(f, addon.root), err[1])
    return c


MODEL_ID_RE = re.compile(r"^(?:[a-z0-9_]+\.)?model_[a-z0-9_]+$")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f, strict=True))


def check_csv(addon):
    c = Check("csv-parse")
    for f in addon.csv_files:
        r = rel(f, addon.root)
        try:
            rows = read_csv(f)
        except (csv.Error, UnicodeDecodeError, OSError) as e:
            c.fail(f"CSV does not parse: {e}", r)
            continue
        if not rows:
            c.fail("empty CSV (no header)", r)
            continue
        header = rows[0]
        if os.path.basename(f) == "ir.model.access.csv":
            expected = [
                "id",
                "name",
                "model_id:id",
                "group_id:id",
                "perm_read",
                "perm_write",
                "perm_create",
                "perm_unlink",
            ]
            if header != expected:
                c.fail(
                    f"header is {','.join(header)}, expected {','.join(expected)}", r, 1
                )
            ids = set()
            for n, row in enumerate(rows[1:], start=2):
                if not row:
                    continue
                if len(row) != 8:
                    c.fail(f"row has {len(row)} columns, expected 8", r, n)
                    continue
                if not row[0]:
                    c.fail("empty id", r, n)
                elif row[0] in ids:
                    c.fail(f"duplicate id {row[0]}", r, n)
                ids.add(row[0])
                if not MODEL_ID_RE.match(row[2]):
                    c.fail(
                        f"model_id:id {row[2]!r} is not model_x or module.model_x", r, n
                    )
                for col in (4, 5, 6, 7):
                    if row[col] not in ("0", "1"):
                        c.fail(f"{header[col]} is {row[col]!r}, expected 0 or 1", r, n)
        else:
            for n, row in enumerate(rows[1:], start=2):
                if row and len(row) != len(header):
                    c.fail(
                        f"row has {len(row)} columns, header has {len(header)}", r, n
                    )
    return c


REF_IN_EVAL_RE = re.compile(r"""\bref\(\s*['"]([^'"]+)['"]\s*\)""")
ACTION_IN_NAME_RE = re.compile(r"%\(([\w.]+)\)[ds]")


def _csv_refs(addon, r):
    try:
        rows = read_csv(os.path.join(addon.root, r))
    except (csv.Error, UnicodeDecodeError, OSError):
        return
    if not rows:
        return
    header = rows[0]
    ref_cols = [
        i for i, h in enumerate(header) if h.endswith((":id", "/id")) and h != "id"
    ]
    for n, row in enumerate(rows[1:], start=2):
        for i in ref_cols:
            if i >= len(row):
                continue
            for xid in row[i].split(","):
                if xid.strip():
                    yield xid.strip(), r, n, header[i]


def _element_refs(el):
    """Yield (xmlid, what) referenced by one XML element."""
    tag, attrib = el.tag, el.attrib
    if tag in ("field", "value") and attrib.get("ref"):
        yield attrib["ref"], "ref"
    if tag in ("field", "value", "function"):
        for attr in ("eval", "search", "context", "domain"):
            for xid in REF_IN_EVAL_RE.findall(attrib.get(attr, "")):
                yield xid, attr
    if tag == "field" and attrib.get("name") in ("context", "domain") and el.text:
        for xid in REF_IN_EVAL_RE.findall(el.text):
            yield xid, "ref()"
    if tag == "button" or attrib.get("type") == "action":
        for xid in ACTION_IN_NAME_RE.findall(attrib.get("name", "")):
            yield xid, "%(...)d"
    if tag in ("template", "record") and attrib.get("inherit_id"):
        yield attrib["inherit_id"], "inherit_id"
    if tag == "menuitem":
        for attr in ("parent", "action"):
            if attrib.get(attr):
                yield attrib[attr], attr
    for g in attrib.get("groups", "").split(","):
        g = g.strip().lstrip("!")
        if g:
            yield g, "groups"


def iter_refs(addon):
    """Yield (xmlid, relpath, line, what) for every XML id the data files refer to."""
    for r in addon.data_files:
        if r.endswith(".csv"):
            yield from _csv_refs(addon, r)
            continue
        tree = addon.tree(r) if r.endswith(".xml") else None
        if tree is None:
            continue
        for el in tree.iter():
            if is_element(el):
                for xid, what in _element_refs(el):
                    yield xid, r, line_of(el), what


def defined_ids(addon, index):
    ids = set()
    for r in addon.data_files:
        if r.endswith(".csv"):
            try:
                rows = read_csv(os.path.join(addon.root, r))
            except (csv.Error, UnicodeDecodeError, OSError):
                continue
            if rows and "id" in rows[0]:
                col = rows[0].index("id")
                ids.update(row[col] for row in rows[1:] if len(row) > col and row[col])
            continue
        tree = addon.tree(r) if r.endswith(".xml") else None
        if tree is None:
            continue
        for el in tree.iter():
            if is_element(el) and el.tag in (
                "record",
                "menuitem",
                "template",
                "report",
                "act_window",
            ):
                xid = el.attrib.get("id")
                if xid:
                    ids.add(xid)
    local = set()
    for xid in ids:
        if "." in xid:
            mod, name = xid.split(".", 1)
            if mod == MODULE:
                local.add(name)
        else:
            local.add(xid)
    for model, classes in index.classes.items():
        if not any(cls.path.startswith(addon.root + os.sep) for cls in classes):
            continue
        mid = model.replace(".", "_")
        local.add(f"model_{mid}")
        for cls in classes:
            if cls.path.startswith(addon.root + os.sep):
                local.update(f"field_{mid}__{f}" for f in cls.fields)
    return local


def check_xml_ids(addon, index):
    c = Check("xml-ids")
    local = defined_ids(addon, index)
    allowed = set(addon.closure)
    for xid, r, line, what in iter_refs(addon):
        if "." in xid:
            mod, name = xid.split(".", 1)
            if mod == MODULE:
                if name not in local:
                    c.fail(f"{what} {xid!r} is not defined in the add-on", r, line)
            elif mod not in allowed:
                c.fail(
                    f"{what} {xid!r}: module {mod!r} is not a dependency "
                    f"(depends: {', '.join(addon.depends) or 'none'})",
                    r,
                    line,
                )
        elif xid not in local:
            c.fail(f"{what} {xid!r} is not defined in the add-on's data files", r, line)
    # web_icon="module,path"
    for r in addon.data_files:
        tree = addon.tree(r) if r.endswith(".xml") else None
        if tree is None:
            continue
        for el in tree.iter():
            if is_element(el) and el.attrib.get("web_icon"):
                parts = el.attrib["web_icon"].split(",")
                if len(parts) >= 2 and parts[0] == MODULE:
                    icon = os.path.join(addon.root, parts[1])
                    if not os.path.isfile(icon):
                        c.fail(
                            f"web_icon file {parts[1]} does not exist", r, line_of(el)
                        )
                elif len(parts) >= 2 and parts[0] not in allowed:
                    c.fail(
                        f"web_icon module {parts[0]!r} is not a dependency",
                        r,
                        line_of(el),
                    )
    return c


SUBVIEW_XPATH_RE = re.compile(r"field\[[^\]]*\]\s*/+\s*(?:list|tree|form|kanban)\b")


def arch_fields(arch):
    """Yield (name, element) for <field> elements of the view's own model."""

    def visit(el, inside_field, skip):
        for child in el:
            if not is_element(child):
                continue
            tag = child.tag
            child_skip = skip
            if tag in SUBVIEW_TAGS and inside_field:
                child_skip = True
            if tag == "groupby":
                child_skip = True
            if tag == "xpath" and SUBVIEW_XPATH_RE.search(child.attrib.get("expr", "")):
                child_skip = True
            if tag == "field" and not child_skip and child.attrib.get("name"):
                yield child.attrib["name"], child
            yield from visit(child, inside_field or tag == "field", child_skip)

    yield from visit(arch, False, False)


def check_view_fields(addon, index):
    c = Check("view-fields")
    for r in addon.data_files:
        tree = addon.tree(r) if r.endswith(".xml") else None
        if tree is None:
            continue
        for rec in tree.iter("record"):
            if rec.attrib.get("model") != "ir.ui.view":
                continue
            model = arch = None
            for f in rec:
                if not is_element(f) or f.tag != "field":
                    continue
                if f.attrib.get("name") == "model":
                    model = (f.text or "").strip()
                elif f.attrib.get("name") == "arch":
                    arch = f
            if not model or arch is None or model not in index.declared:
                continue
            known, complete = index.fields_of(model)
            if not complete:
                continue
            for name, el in arch_fields(arch):
                fname = name.split(".", 1)[0]
                if fname not in known:
                    c.fail(
                        f"view {rec.attrib.get('id', '?')}: field {name!r} "
                        f"is not a field of {model}",
                        r,
                        line_of(el),
                    )
    return c


def check_po(addon):
    c = Check("po-files")
    files = [
        p
        for p in walk_files(addon.root, (".po", ".pot"))
        if os.sep + "i18n" + os.sep in p
    ]
    if not files:
        return c
    try:
        import polib
    except ImportError:
        polib = None
    msgfmt = shutil.which("msgfmt")
    for f in files:
        r = rel(f, addon.root)
        if polib is not None:
            try:
                polib.pofile(f, check_for_duplicates=True)
            except (OSError, ValueError) as e:
                c.fail(f"does not parse: {e}", r)
        elif msgfmt:
            proc = subprocess.run(
                [msgfmt, "-c", "--check-format", "-o", os.devnull, f],
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                c.fail(f"msgfmt: {proc.stderr.strip().splitlines()[0:1]}", r)
        else:
            err = mini_po_parse(f)
            if err:
                c.fail(err[0], r, err[1])
    return c


def mini_po_parse(path):
    """Very small .po syntax check: returns (message, line) or None."""
    state = None
    seen = set()
    msgid = None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(
                r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$', line
            )
            if m:
                state = m.group(1)
                value = m.group(2)
                if state == "msgid":
                    msgid = value
                elif state == "msgstr" or state.startswith("msgstr["):
                    if (
                        msgid is not None
                        and msgid != '""'
                        and state in ("msgstr", "msgstr[0]")
                    ):
                        if msgid in seen:
                            return (f"duplicate msgid {msgid}", n)
                        seen.add(msgid)
                continue
            if line.startswith('"') and line.endswith('"') and state:
                continue
            return (f"unexpected line: {line[:40]}", n)
    return None


def check_python_compile(addon):
    c = Check("python-syntax")
    for f in walk_files(addon.root, (".py",)):
        try:
            with open(f, encoding="utf-8") as fh:
                compile(fh.read(), f, "exec")
        except SyntaxError as e:
            c.fail(f"SyntaxError: {e.msg}", rel(f, addon.root), e.lineno)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            c.fail(str(e), rel(f, addon.root))
    return c


# ---------------------------------------------------------------------------
# External linters
# ---------------------------------------------------------------------------


def ensure_tool(module, requirement):
    """Make `python -m module` work, pip-installing requirement if needed."""
    if importlib.util.find_spec(module) is not None:
        return None
    print(f"[call_campaign] installing {requirement} into {sys.executable}", flush=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            requirement,
        ],
        capture_output=True,
        text=True,
    )
    importlib.invalidate_caches()
    if proc.returncode or importlib.util.find_spec(module) is None:
        return f"could not pip install {requirement}: {proc.stderr.strip()[-500:]}"
    return None


def check_ruff(addon):
    lint = Check("ruff-check")
    fmt = Check("ruff-format")
    err = ensure_tool("ruff", RUFF_REQ)
    if err:
        lint.fail(err)
        fmt.fail(err)
        return [lint, fmt]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-fix",
            "--output-format=concise",
            ".",
        ],
        cwd=addon.root,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        found = False
        for line in proc.stdout.splitlines():
            m = re.match(r"^(.+?):(\d+):(\d+): (.*)$", line)
            if m:
                found = True
                lint.fail(m.group(4), m.group(1), int(m.group(2)))
        if not found:
            lint.fail(
                (proc.stdout + proc.stderr).strip()[-1000:] or f"exit {proc.returncode}"
            )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "--output-format=concise",
            ".",
        ],
        cwd=addon.root,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        found = False
        for line in proc.stdout.splitlines():
            m = re.match(r"^(.+?):(\d+):\d+: unformatted: .*$", line) or re.match(
                r"^Would reformat: (.+)$()", line
            )
            if m:
                found = True
                line_no = int(m.group(2)) if m.group(2) else None
                fmt.fail("would be reformatted by `ruff format`", m.group(1), line_no)
        if not found:
            fmt.fail(
                (proc.stdout + proc.stderr).strip()[-1000:] or f"exit {proc.returncode}"
            )
    return [lint, fmt]


def check_pylint(addon):
    c = Check("pylint-odoo-mandatory")
    err = ensure_tool("pylint_odoo", PYLINT_ODOO_REQ)
    if err:
        c.fail(err)
        return c
    rcfile = os.path.join(addon.root, ".pylintrc-mandatory")
    if not os.path.isfile(rcfile):
        c.fail(".pylintrc-mandatory not found", ".pylintrc-mandatory")
        return c
    # pylint-odoo takes the module name from the folder name: lint through a
    # symlink named call_campaign, from its parent folder.
    if os.path.basename(addon.root) == MODULE:
        cwd = os.path.dirname(addon.root)
    else:
        cwd = os.path.join(addon.root, ".local", "addons")
        link = os.path.join(cwd, MODULE)
        if not os.path.isdir(link):
            os.makedirs(cwd, exist_ok=True)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join("..", ".."), link)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={rcfile}",
            "--output-format=text",
            "--msg-template={path}:{line}: [{symbol}] {msg}",
            "--score=n",
            "--reports=n",
            MODULE,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
    )
    if proc.returncode:
        found = False
        prefix = MODULE + os.sep
        for line in proc.stdout.splitlines():
            m = re.match(r"^(.+?):(\d+): \[([\w-]+)\] (.*)$", line)
            if m:
                found = True
                path = m.group(1)
                if path.startswith(prefix):
                    path = path[len(prefix) :]
                c.fail(f"{m.group(3)}: {m.group(4)}", path, int(m.group(2)))
        if not found:
            c.fail(
                (proc.stdout + proc.stderr).strip()[-1500:] or f"exit {proc.returncode}"
            )
    return c


# ---------------------------------------------------------------------------


def report(checks):
    passed = failed = 0
    for c in checks:
        if not c.problems:
            passed += 1
            print(f"PASS {c.name}", flush=True)
            continue
        failed += 1
        for reason, path, line in c.problems[:60]:
            where = ""
            if path:
                where = f" ({path}:{line})" if line else f" ({path})"
            print(f"FAIL {c.name}: {reason}{where}", flush=True)
        if len(c.problems) > 60:
            print(
                f"FAIL {c.name}: ... and {len(c.problems) - 60} more problem(s)",
                flush=True,
            )
    return passed, failed


def main():
    default_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(
        description="Static checks of the call_campaign add-on"
    )
    parser.add_argument("--root", default=default_root)
    parser.add_argument("--result-file")
    parser.add_argument(
        "--skip-lint", action="store_true", help="skip ruff and pylint-odoo"
    )
    args = parser.parse_args()
    root = os.path.realpath(args.root)

    addon = Addon(root)
    index = build_model_index(root, addon.closure_dirs)
    checks = [
        check_manifest(addon),
        check_manifest_files(addon),
        check_python_compile(addon),
        check_xml_parse(addon),
        check_csv(addon),
        check_xml_ids(addon, index),
        check_view_fields(addon, index),
        check_po(addon),
    ]
    passed, failed = report(checks)
    if not args.skip_lint:
        lint_checks = check_ruff(addon) + [check_pylint(addon)]
        p, f = report(lint_checks)
        passed += p
        failed += f
    if args.result_file:
        with open(args.result_file, "w", encoding="utf-8") as fh:
            json.dump({"passed": passed, "failed": failed}, fh)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
