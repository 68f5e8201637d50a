# Acupressure kiosk: developer and staff commands.
#   make run / ./dev.sh run     the kiosk in a window (keyboard = button), set-up included
#   make test / ./dev.sh test   the whole test suite, set-up included
#   make kiosk ARGS="check --config FILE" / ./dev.sh kiosk check --config FILE
#                               the kiosk's command line (acupressure-kiosk ARGS) in .venv
#   make dist                   the release file staff install from: dist/acupressure-kiosk-VERSION.tar.gz
#   sudo make install / sudo make uninstall   staff install on a Raspberry Pi (see docs/staff-guide.md)

# The developer commands live in dev.sh (it needs no make); these are shortcuts to it, one
# for each of its commands (tests/test_docs.py checks that), ARGS passed on where it takes any.
.PHONY: run test kiosk lint format screenshots bench docs shell clean dist install uninstall

run:
	./dev.sh run $(ARGS)

test:
	./dev.sh test $(ARGS)

kiosk:
	./dev.sh kiosk $(ARGS)

lint:
	./dev.sh lint

format:
	./dev.sh format

screenshots:
	./dev.sh screenshots

bench:
	./dev.sh bench $(ARGS)

docs:
	./dev.sh docs

shell:
	./dev.sh shell $(ARGS)

clean:
	rm -rf .venv build dist *.egg-info .pytest_cache .hypothesis

# The release (scripts/dist.sh): VERSION from pyproject.toml; the file unpacks into
# acupressure-kiosk-VERSION/ with kiosk/, media/, systemd/, scripts/, docs/, pyproject.toml,
# README.md, this Makefile and MANIFEST.sha256 (every file's checksum; the installer checks it).
#   make dist [DISTDIR=dir]                write it into dir instead of dist/
dist:
	sh scripts/dist.sh $(if $(DISTDIR),--out "$(DISTDIR)")

# Staff install on the Pi (scripts/install.sh, docs/staff-guide.md), from the unpacked release:
#   sudo make install [BOOT_SETTINGS=0]    install or upgrade; it also adds the boot settings to
#                                          cmdline.txt (no screen blanking, quiet boot, no cursor)
#                                          unless BOOT_SETTINGS=0 (or no)
#   sudo make uninstall [PURGE=1]          remove it; PURGE=1 removes the staff config too
#   make install DESTDIR=dir               write the files under dir only (tests, image builders)
install:
	$(if $(wildcard scripts/install.sh),,$(error this folder is incomplete: scripts/install.sh is missing; copy the .tar.gz file to the Pi again, unpack it and run sudo make install in the new folder))
	sh scripts/install.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 0 no,$(BOOT_SETTINGS)),--no-boot-settings)

uninstall:
	sh scripts/uninstall.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(PURGE)),--purge)
