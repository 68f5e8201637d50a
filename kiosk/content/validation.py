"""Checking staff values as they are read: one :class:`Validator` collects every problem.

Each check returns the clean value (or None) and records what was wrong at the key's line, in
words for the person who typed it: :func:`describe` says how a wrong value looks, and
:func:`unknown_key` guesses the key that was meant. The settings table
(:mod:`kiosk.content.settings`) and the content (:mod:`kiosk.content.build`) both use it.
"""

from __future__ import annotations

import difflib
import math
import string
import sys
import unicodedata
from collections.abc import Collection

from kiosk.content.yamlfile import Document, KeyPath, Problem

#: No screen can show a longer text (the built-in ones are at most about 75 characters).
MAX_TEXT_CHARS = 500
#: Unicode categories with nothing to see on their own: format characters (zero-width
#: space, direction marks) and combining marks.
INVISIBLE = ("Cf", "Mn", "Me")


class Validator:
    """Collects problems against one document while values are read from it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def error(self, path: KeyPath, message: str, at_value: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, at_value=at_value))

    def warn(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message, "warning"))

    def mapping(self, value: object, path: KeyPath, known: list[str]) -> dict[str, object]:
        """``value`` as a mapping with only ``known`` keys (others reported, with a guess)."""
        if not isinstance(value, dict):
            no_space = _no_space(value)
            if no_space:
                self.error(path, no_space, at_value=True)
            else:
                self.error(path, f"expected a mapping of `key: value` lines, got {describe(value)}")
            return {}
        for key in value:
            if key not in known:
                self.error((*path, key), unknown_key(key, known))
        return {k: v for k, v in value.items() if k in known}

    def text(
        self, value: object, path: KeyPath, placeholders: Collection[str] | None = None
    ) -> str | None:
        """``value`` as one line of text. ``placeholders`` are the {names} it may use (the
        ones the kiosk fills in for this text); None means it may hold no braces at all."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected some text, got {describe(value)}")
            return None
        why = unprintable(" ".join(value.split()))
        if why:
            self.error(path, why)
            return None
        length = len(" ".join(value.split()))
        if length > MAX_TEXT_CHARS:
            # Fitting a text this long to the screen would take minutes (a hung start-up).
            self.error(
                path,
                f"expected a short text of at most {MAX_TEXT_CHARS} characters, got "
                f"{length}; shorten it (in a list, split it into more lines)",
            )
            return None
        if placeholders is not None:
            problem = _placeholder_problem(value, placeholders)
            if problem:
                self.error(path, problem)
                return None
        elif "{" in value or "}" in value:
            self.error(path, "braces { } are only for the placeholders in `texts:`")
            return None
        return " ".join(value.split())

    def number(
        self, value: object, path: KeyPath, low: float, high: float, what: str, low_ok: bool = True
    ) -> float | None:
        """A number in ``[low, high]`` (or ``(low, high]`` when not ``low_ok``)."""
        if isinstance(value, bool) or not isinstance(value, int | float) or _nan(value):
            self.error(path, f"expected {what}, got {describe(value)}")
            return None
        too_low = value < low if low_ok else value <= low
        if too_low or value > high:
            bound = f"from {low:g}" if low_ok else f"more than {low:g}"
            self.error(path, f"expected {what} {bound} up to {high:g}, got {_number(value)}")
            return None
        return float(value)


def _no_space(value: object) -> str | None:
    """Why ``value`` is one text where `key: value` lines belong when it is a key and a value
    without the space after the colon (``button_pin:17``), else None."""
    if not isinstance(value, str):
        return None
    name, colon, rest = value.strip().partition(":")
    if not colon or not rest or rest[0] == " " or not name.replace("_", "").isalnum():
        return None
    return f"there is no space after the `:` in `{value.strip()[:40]}`; write `{name}: {rest[:30]}`"


def _nan(value: int | float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _number(value: int | float) -> str:
    """A number as staff wrote it, short; a whole number too big for a float by its length."""
    if isinstance(value, int) and abs(value) > 10**15:
        try:
            return f"a number of {len(str(abs(value)))} digits"
        except ValueError:  # too long even to write out (0x1111... of thousands of digits)
            return f"a number of more than {sys.get_int_max_str_digits()} digits"
    return f"{value:g}"


def placeholders(text: str) -> list[str] | None:
    """The {names} in ``text``; None when its braces do not pair up."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


def unprintable(text: str) -> str | None:
    """Why ``text`` cannot be drawn or used as a file name, or None.

    A control character (a YAML escape such as "\\0") makes pygame refuse to draw the text,
    a lone surrogate ("\\uD800") cannot even be encoded, and a word of only invisible
    characters (a zero-width space) can make a line pygame refuses to draw: each would fail
    on every frame.
    """
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cs"):
            return (
                f"character {index + 1} (U+{ord(char):04X}) is not a printable character; "
                "remove it (check the \\ escapes in the quotes)"
            )
    for word in text.split():
        if all(unicodedata.category(char) in INVISIBLE for char in word):
            # pygame refuses to draw a line of zero width
            codes = " ".join(f"U+{ord(char):04X}" for char in word)
            return f"{codes} cannot be seen on its own; join it to a word or remove it"
    return None


def _placeholder_problem(text: str, allowed: Collection[str]) -> str | None:
    """What is wrong with the {placeholders} of ``text``, or None.

    Only plain ``{name}`` s that the kiosk fills in for this text pass: anything else would
    show as typed or, with a format spec such as ``{minutes:q}``, fail on every frame.
    """
    try:
        fields = [f for f in string.Formatter().parse(text) if f[1] is not None]
    except ValueError:
        return "a { or } has no partner; placeholders look like {seconds}"
    for _, name, spec, conversion in fields:
        if name not in allowed:
            if allowed:
                names = ", ".join(f"{{{n}}}" for n in sorted(allowed))
                return f"{{{name}}} is not filled in for this text; it can use {names}"
            return (
                f"{{{name}}} is not filled in for this text: it has no placeholders "
                "(write {{ or }} to show a brace)"
            )
        if spec or conversion:
            return f"write the placeholder as plain {{{name}}}, without ':' or '!'"
    return None


def describe(value: object) -> str:
    """How a wrong value looks to the person who typed it."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (yes/no)"
    if isinstance(value, dict):
        return "a mapping (`key: value` lines)" if value else "an empty mapping ({})"
    if isinstance(value, list):
        if not value:
            return "an empty list ([])"
        items = "1 item" if len(value) == 1 else f"{len(value)} items"
        return f"a list of {items} (`- item` lines)"
    if isinstance(value, int | float):
        shown = _number(value)
        return shown if shown.startswith("a number") else f"the number {shown}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    return f"a {type(value).__name__}"


def unknown_key(key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean `{guess[0]}`?" if guess else f"; known keys: {', '.join(known)}"
    return f"`{key}` is not a known key{hint}"
