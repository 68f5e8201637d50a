"""The built-in content and media: the YAML file shipped in this package, and the folder
of the bundled drawings and fonts."""

from __future__ import annotations

from importlib import resources, util
from pathlib import Path

from kiosk.content.yamlfile import Document, parse


def builtin_document() -> Document:
    """The built-in content file, parsed (it is tested to be free of problems)."""
    raw = resources.files("kiosk.content").joinpath("builtin.yaml").read_bytes()
    doc, problems = parse(raw, "built-in content")
    if doc is None or problems:
        raise RuntimeError(f"built-in content is broken: {problems}")
    return doc


def builtin_text() -> str:
    return resources.files("kiosk.content").joinpath("builtin.yaml").read_text("utf-8")


def media_dir() -> Path:
    """The folder of the built-in drawings and fonts: the ``kiosk.media`` package.

    The package maps to the top-level ``media/`` folder. When it cannot be found (the source
    tree used without installing) the source tree's ``media/`` is used.
    """
    try:
        root = resources.files("kiosk.media")
    except ModuleNotFoundError:
        return _source_media()
    if isinstance(root, Path) and root.is_dir():
        return root
    spec = util.find_spec("kiosk.media")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return _source_media()


def _source_media() -> Path:
    return Path(__file__).resolve().parents[2] / "media"
