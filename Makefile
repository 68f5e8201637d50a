# Acupressure kiosk: developer and staff commands.
#   make run / ./dev.sh run     the kiosk in a window (keyboard = button), set-up included
#   make test / ./dev.sh test   the whole test suite, set-up included
#   make kiosk ARGS="check --config FILE" / ./dev.sh kiosk check --config FILE
#                               the kiosk's command line (acupressure-kiosk ARGS) in .venv
#   sudo make install / sudo make uninstall   staff install on a Raspberry Pi (see docs/staff-guide.md)

# The developer commands live in dev.sh (it needs no make); these are shortcuts to it, one
# for each of its commands (tests/test_docs.py checks that), ARGS passed on where it takes any.
.PHONY: run test kiosk lint format screenshots bench docs shell clean install uninstall

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

# Staff install on the Pi (scripts/install.sh, docs/staff-guide.md):
#   sudo make install [BOOT_SETTINGS=1]    install or upgrade; BOOT_SETTINGS=1 also edits cmdline.txt
#   sudo make uninstall [PURGE=1]          remove it; PURGE=1 removes the staff config too
#   make install DESTDIR=dir               write the files under dir only (tests, image builders)
install:
	sh scripts/install.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(BOOT_SETTINGS)),--boot-settings)

uninstall:
	sh scripts/uninstall.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(PURGE)),--purge)
