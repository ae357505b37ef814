#!/usr/bin/env bash
# Build the wheel odoo_addon_call_campaign-<version>-py3-none-any.whl into dist/.
#
#   tools/build_wheel.sh
#
# whool (the build backend declared in pyproject.toml) names the distribution
# after the add-on's folder, and this repository's folder may have any name: the
# files git knows about (tracked, or untracked but not ignored) are copied into
# a temporary folder named call_campaign (leaving out the developer harness:
# .ci/, tools/, lint configs), which is built with `pip wheel --no-deps`.  Env: CC_PYTHON (default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
PY="${CC_PYTHON:-python3}"
OUT="$ROOT/dist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/call_campaign" "$OUT"
cd "$ROOT"
git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do
        case "$f" in
            # developer harness, not part of the add-on
            .ci/* | tools/* | .pre-commit-config.yaml | .pylintrc | .pylintrc-mandatory | .gitignore) continue ;;
        esac
        # skip files deleted from the work tree but still in the index
        if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done \
    | tar -c --null -T - -f - | tar -x -C "$work/call_campaign" -f -

# whool packages the files under git control: give the copy a git repository
# holding exactly those files.
(
    cd "$work/call_campaign"
    git init -q
    git add -A
    git -c user.name=build -c user.email=build@localhost commit -q -m build
)

"$PY" -m pip wheel -q --disable-pip-version-check --no-deps -w "$OUT" "$work/call_campaign"
ls -1 "$OUT"/odoo_addon_call_campaign-*.whl
