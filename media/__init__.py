"""The bundled drawings and fonts, installed as the package ``kiosk.media``.

This file makes ``kiosk.media`` a regular package, so ``importlib.resources.files`` gives its
real folder in an editable install (setuptools maps only folders with ``__init__.py``) and in
a normal one (a namespace package would give a ``MultiplexedPath``).
"""
