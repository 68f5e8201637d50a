"""Which characters the bundled font cannot draw, and which font would draw them.

The kiosk draws every text with DejaVu Sans (``media/fonts``): Latin, Greek, Cyrillic,
Arabic, Hebrew and more, but no Chinese, Japanese, Korean, Devanagari or Thai. A character it
lacks shows as an empty box, so ``check`` names every text with such characters and a font
that has them (:func:`font_for`).
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

import pygame.freetype

#: FreeType faces are opened one at a time (see :mod:`kiosk.ui.text`).
_OPENING = threading.Lock()

#: The first word of a character's Unicode name -> a free font that draws it (and its
#: Debian package).
FONTS = {
    "CJK": "Noto Sans CJK (Debian package fonts-noto-cjk)",
    "HIRAGANA": "Noto Sans CJK (Debian package fonts-noto-cjk)",
    "KATAKANA": "Noto Sans CJK (Debian package fonts-noto-cjk)",
    "HANGUL": "Noto Sans CJK (Debian package fonts-noto-cjk)",
    "IDEOGRAPHIC": "Noto Sans CJK (Debian package fonts-noto-cjk)",
    "FULLWIDTH": "Noto Sans CJK (Debian package fonts-noto-cjk)",
}
#: Where Noto has one font per script (Noto Sans Devanagari, ...): fonts-noto-core.
NOTO_CORE = "Noto Sans {script} (Debian package fonts-noto-core)"
#: For anything else (emoji, symbols).
ANY_FONT = "a font that has them, such as one of the Noto fonts (Debian package fonts-noto)"


class Glyphs:
    """Answers which characters of a text the faces in ``paths`` cannot all draw."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        with _OPENING:
            pygame.freetype.init()
            self._faces = [pygame.freetype.Font(str(path), 16) for path in paths]
        self._known: dict[str, bool] = {}

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` (each once, in order) that a face cannot draw."""
        return [char for char in dict.fromkeys(text) if not self._drawable(char)]

    def _drawable(self, char: str) -> bool:
        if char.isspace() or unicodedata.category(char) in ("Cf", "Mn", "Me"):
            return True  # nothing to draw of its own
        if char not in self._known:
            self._known[char] = all(face.get_metrics(char)[0] is not None for face in self._faces)
        return self._known[char]


def font_for(chars: list[str]) -> str:
    """A font to add that draws ``chars``, in words for staff."""
    words = [unicodedata.name(char, "").split(" ")[0] for char in chars]
    for word in words:
        if word in FONTS:
            return FONTS[word]
    scripts = [w for w in words if w.isalpha() and w not in ("EMOJI", "SYMBOL", "")]
    if scripts and all(w not in ("BLACK", "WHITE", "HEAVY", "FACE") for w in scripts):
        return NOTO_CORE.format(script=scripts[0].title())
    return ANY_FONT
