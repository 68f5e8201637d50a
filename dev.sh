#!/usr/bin/env bash
# Developer entry point. Sets everything up itself on a fresh Debian / Raspberry Pi OS:
#   ./dev.sh run [ARGS]     the kiosk in a window with the built-in content (space/enter = button)
#   ./dev.sh test [ARGS]    the whole test suite (integration tests skip unless run as root)
#   ./dev.sh kiosk ARGS     the kiosk's command line (acupressure-kiosk ARGS), e.g. `kiosk check`
#   ./dev.sh lint | format | bench | screenshots | docs | shell
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

setup() {
    # The venv module (Debian splits it out as python3-venv) is all the system must provide:
    # pygame-ce's wheel carries its own SDL, and the fonts ship with the project.
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        echo "Installing python3-venv (needs apt)..." >&2
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv python3-pip
    fi
    local stamp=$VENV/.installed
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        # pip shows a build backend's warnings even with -q. setuptools adds a notice to every
        # editable install of a folder like this one ("folders named like the package may
        # take precedence during imports"): for information only, so it is left out.
        PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:Editable installation" \
            "$VENV/bin/python" -m pip install -q -e '.[test]'
        touch "$stamp"
    fi
}

command=${1:-run}
shift || true
setup
case $command in
    run) exec "$VENV/bin/python" -m kiosk --windowed "$@" ;;
    test) exec "$VENV/bin/python" -m pytest -q "$@" ;;
    kiosk) exec "$VENV/bin/python" -m kiosk "$@" ;;
    lint)
        "$VENV/bin/ruff" check kiosk tests scripts
        "$VENV/bin/ruff" format --check kiosk tests scripts
        exec "$VENV/bin/lint-imports" ;;
    format) "$VENV/bin/ruff" format kiosk tests scripts && exec "$VENV/bin/ruff" check --fix kiosk tests scripts ;;
    bench) exec "$VENV/bin/python" tests/bench/bench.py "$@" ;;
    screenshots)
        for size in 800x480 1920x1080 1080x1920; do
            "$VENV/bin/python" -m kiosk screenshots --size "$size" --out "docs/screenshots/$size"
        done
        for size in 800x480 1920x1080; do
            "$VENV/bin/python" -m kiosk screenshots --language es --size "$size" --out "docs/screenshots/es/$size"
        done ;;
    docs) exec "$VENV/bin/python" scripts/update_docs.py ;;
    shell) exec "$VENV/bin/python" "$@" ;;
    *) echo "usage: ./dev.sh run|test|kiosk|lint|format|bench|screenshots|docs|shell [ARGS]" >&2; exit 2 ;;
esac
