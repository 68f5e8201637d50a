# Acupressure kiosk: developer and staff commands.
#   make run / ./dev.sh run     the kiosk in a window (keyboard = button), set-up included
#   make test / ./dev.sh test   the whole test suite, set-up included
#   sudo make install / sudo make uninstall   staff install on a Raspberry Pi (see docs/staff-guide.md)

# The developer commands live in dev.sh (it needs no make); these are shortcuts to it.
.PHONY: run test lint format screenshots bench clean install uninstall

run:
	./dev.sh run $(ARGS)

test:
	./dev.sh test $(ARGS)

lint:
	./dev.sh lint

format:
	./dev.sh format

screenshots:
	./dev.sh screenshots

bench:
	./dev.sh bench

clean:
	rm -rf .venv build dist *.egg-info .pytest_cache .hypothesis

# Staff install on the Pi (scripts/install.sh, docs/staff-guide.md):
#   sudo make install [BOOT_SETTINGS=0]    install or upgrade; it also adds the boot settings to
#                                          cmdline.txt (no screen blanking, quiet boot, no cursor)
#                                          unless BOOT_SETTINGS=0 (or no)
#   sudo make uninstall [PURGE=1]          remove it; PURGE=1 removes the staff config too
#   make install DESTDIR=dir               write the files under dir only (tests, image builders)
install:
	sh scripts/install.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 0 no,$(BOOT_SETTINGS)),--no-boot-settings)

uninstall:
	sh scripts/uninstall.sh $(if $(DESTDIR),--destdir "$(DESTDIR)") $(if $(filter 1 yes,$(PURGE)),--purge)
