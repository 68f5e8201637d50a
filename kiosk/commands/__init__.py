"""The command line (:mod:`kiosk.commands.cli`) and one module per command: run, defaults,
check, screenshots. A new command is a module here with ``main(args)``."""
