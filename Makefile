# Acupressure kiosk: developer and staff commands.
#   make run      run the kiosk in a window (keyboard = button), setting everything up first
#   make test     run the whole test suite, setting everything up first
#   sudo make install / sudo make uninstall   staff install on a Raspberry Pi (see docs/staff-guide.md)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the development environment needs (the venv module, SDL's runtime libraries).
DEV_DEBS := python3-venv python3-pip libsdl2-2.0-0 fonts-dejavu-core

.PHONY: run test lint format screenshots bench check install uninstall clean deps

$(VENV)/.stamp: pyproject.toml
	@missing=""; for p in $(DEV_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

deps: $(VENV)/.stamp

run: deps
	$(PY) -m kiosk --windowed $(ARGS)

test: deps
	$(PY) -m pytest -q

lint: deps
	$(VENV)/bin/ruff check kiosk tests
	$(VENV)/bin/ruff format --check kiosk tests

format: deps
	$(VENV)/bin/ruff format kiosk tests
	$(VENV)/bin/ruff check --fix kiosk tests

screenshots: deps
	$(PY) -m kiosk screenshots --size 800x480 --out docs/screenshots/800x480
	$(PY) -m kiosk screenshots --size 1920x1080 --out docs/screenshots/1920x1080
	$(PY) -m kiosk screenshots --size 1080x1920 --out docs/screenshots/1080x1920

bench: deps
	$(PY) tests/bench/bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis

# Staff install on the Pi (scripts/install.sh, docs/staff-guide.md):
#   sudo make install [BOOT_SETTINGS=1]    install or upgrade; BOOT_SETTINGS=1 also edits cmdline.txt
#   sudo make uninstall [PURGE=1]          remove it; PURGE=1 removes the staff config too
#   make install DESTDIR=dir               write the files under dir only (tests, image builders)
install:
	sh scripts/install.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(BOOT_SETTINGS)),--boot-settings)

uninstall:
	sh scripts/uninstall.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(PURGE)),--purge)
