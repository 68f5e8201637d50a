"""The running kiosk: the main loop (:mod:`kiosk.app.loop`) and the one place its parts are
built and wired together (:mod:`kiosk.app.wiring`)."""
