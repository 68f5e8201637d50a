"""The ``check`` command: every problem of a staff file, in one report.

Beyond what loading finds (syntax, keys, types, ranges, pins, a language without a text or a
point), this opens every image and lays out every screen of every language, every page of
it, at the common screen sizes, reporting texts that do not fit even at the smallest
readable size and texts with characters the bundled font cannot draw (naming a font that
can), and notes (no problem) the screens that are split into pages there.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pygame

from kiosk.content.build import staff_images
from kiosk.content.builtin import builtin_document, media_dir
from kiosk.content.config import Config, load_config, pick_staff_file, read_staff_file
from kiosk.content.languages import every_text, language_path
from kiosk.content.speech import read_speech
from kiosk.content.validation import Validator
from kiosk.content.yamlfile import Document, KeyPath, Problem, printable
from kiosk.core.screensize import CAP_MM
from kiosk.devices.access import write_problem
from kiosk.devices.journal import printer
from kiosk.devices.speechcache import make_engine
from kiosk.devices.voices import EngineError
from kiosk.devices.wavfile import WavError, check_wav
from kiosk.ui.columns import Frame
from kiosk.ui.glyphs import Glyphs, font_for
from kiosk.ui.images import check_image
from kiosk.ui.renderer import configured_pitch
from kiosk.ui.screens import Fitted, Screens
from kiosk.ui.text import Fonts
from kiosk.ui.tour import tour, with_pages

CHECK_SIZES = ((800, 480), (1280, 720), (1920, 1080), (1080, 1920))
#: The screen a text's length is measured on: a step or line should take at most MAX_LINES
#: lines there at the smallest readable size. 1280x720, not the 7-inch touchscreen: there
#: 4.8 mm capitals wrap every step to three lines or four and its screens are split into
#: pages; at 720p the floor is a thirtieth of the short side, which is what the rule was
#: made for (the built-in texts take at most two lines there).
SMALLEST = CHECK_SIZES[1]
MAX_LINES = 2
#: The user the installed kiosk runs as (the unit's ``User=``).
KIOSK_USER = "kiosk"


@dataclass
class Report:
    """The lines to print, each with its level (``logging.ERROR`` or ``logging.WARNING``)."""

    entries: list[tuple[int, str]]
    #: What is worth knowing about the kiosk the file makes, but is no problem.
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [text for _, text in self.entries]

    @property
    def errors(self) -> int:
        return sum(1 for level, _ in self.entries if level >= logging.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.entries) - self.errors

    @property
    def level(self) -> int:
        """The level of the summary: the worst of the lines (info when there are none)."""
        return max((level for level, _ in self.entries), default=logging.INFO)

    @property
    def summary(self) -> str:
        if not self.errors and not self.warnings:
            return "OK: no problems found."
        return f"{self.errors} error(s), {self.warnings} warning(s)."


def check_config(path: Path | None) -> Report:
    """Check the staff file at ``path`` (the built-in configuration for None)."""
    config = load_config(path)
    entries = [_entry(p) for p in config.problems]
    staff = _staff_document(path)
    if config.fallback:
        # The file's points did not load, but the images they name can still be checked.
        # So can the recordings it names.
        problems = [] if staff is None else _named_image_problems(staff, config.problems)
        problems += [] if staff is None else _named_recording_problems(config, staff)
        return Report(entries + [_entry(p) for p in problems])
    entries += [_entry(p) for p in image_problems(config, staff)]
    entries += [_entry(p) for p in fit_problems(config, staff)]
    entries += [_entry(p) for p in sound_problems(config, staff)]
    entries += [_entry(p) for p in speech_problems(config, staff)]
    entries += [_entry(p) for p in metrics_problems(config, staff)]
    entries += [_entry(p) for p in font_problems(config, staff)]
    return Report(entries, _notes(config) + page_notes(config))


def _notes(config: Config) -> list[str]:
    if config.hardware.buzzer_pin is not None:
        return []
    return [
        "No buzzer is fitted (hardware.buzzer_pin: null): the hold screen says to keep "
        "pressing the point until the timer ends, not until the beep"
    ]


def page_notes(config: Config) -> list[str]:
    """One note for each screen size of :data:`CHECK_SIZES` where some screens are split
    into pages a press turns (their text does not fit at 4.8 mm capitals), with the pixel
    pitch it assumed (``hardware.screen_diagonal_inches``, else the usual size)."""
    notes = []
    for size in CHECK_SIZES:
        screens = _floor_screens(config, size)
        paged = [
            f"{stop.name}{f' in {code}' if language else ''} ({pages})"
            for language, code in enumerate(config.contents)
            for stop in tour(config, language)
            if stop.view.cancel_at is None and (pages := screens.layout(stop.view).pages) > 1
        ]
        if paged:
            pitch = screens.frame.mm_per_px
            notes.append(
                f"At {size[0]}x{size[1]} ({pitch.source}: capitals of {CAP_MM:g} mm are "
                f"{pitch.cap_px:.0f} px) these screens are split into pages that a press turns, "
                f"with the number of pages: {', '.join(paged)}"
            )
    return notes


def _floor_screens(config: Config, size: tuple[int, int]) -> Screens:
    """Every screen at ``size``, laid out at the floor only (see ``Screens.floor_only``)."""
    pygame.font.init()
    content = config.content
    return Screens(
        Frame(*size, configured_pitch(config, size)),
        content,
        Fonts(media_dir() / "fonts"),
        config.timing,
        content.steps(),
        beeps=config.hardware.buzzer_pin is not None,
        floor_only=True,
        languages=tuple(config.contents.values()),
    )


def sound_problems(config: Config, staff: Document | None = None) -> list[Problem]:
    """Without a buzzer (``buzzer_pin: null``) the hold screen says to keep pressing until
    the timer ends; a staff text that still promises a beep is a warning at its line."""
    if config.hardware.buzzer_pin is not None or staff is None:
        return []
    problems = []
    for path, text in _staff_texts(staff.data):
        if path != ("texts", "keep_pressing") and "beep" in text.lower():
            message = (
                "promises a beep, but no buzzer is fitted (hardware.buzzer_pin: null); "
                'say "when the timer ends" instead'
            )
            problems.append(staff.problem(path, message, "warning"))
    return problems


def speech_problems(config: Config, staff: Document | None = None) -> list[Problem]:
    """Staff recordings that are not a WAV file the kiosk plays (header read, nothing
    decoded), at the line that names them; with speech on, a voice that cannot start."""
    problems = []
    for text_id, recording in config.speech.recordings.items():
        try:
            check_wav(recording)
        except WavError as err:
            message = f"`{recording.name}` {err}"
            path = ("speech", "audio", text_id)
            problems.append(
                staff.problem(path, message) if staff else Problem(config.source, message, path)
            )
    if config.speech.enabled:
        try:
            make_engine(config.speech, config.speech.voice("en"))
        except EngineError as err:
            message = f"speech is on, but the voice cannot start: {err}; the kiosk will be silent"
            path = (
                ("speech", "engine") if config.speech.engine == "piper" else ("speech", "enabled")
            )
            if staff is not None:
                problems.append(staff.problem(path, message, "warning"))
            else:
                problems.append(Problem(config.source, message, path, severity="warning"))
    return problems


def _named_recording_problems(config: Config, staff: Document) -> list[Problem]:
    """The recordings a file that did not load names, read as if it had (the problems
    loading told already are not told again)."""
    top = staff.data if isinstance(staff.data, dict) else {}
    if "speech" not in top:
        return []
    scratch = Validator(staff)
    folder = Path(staff.file).resolve().parent
    speech = read_speech(top["speech"], config.content, folder, scratch)
    return speech_problems(replace(config, speech=replace(speech, enabled=False)), staff)


def metrics_problems(
    config: Config, staff: Document | None = None, user: str | None = None
) -> list[Problem]:
    """A warning when the kiosk's user could not write ``usage.metrics_file``'s folder: the
    kiosk would run and count, but node_exporter would never see the counts."""
    if not config.usage.metrics_file or staff is None:
        return []
    user = user or KIOSK_USER
    folder = Path(config.usage.metrics_file).parent
    why = write_problem(folder, user)
    if why is None:
        return []
    if not folder.exists():
        fix = "is node_exporter installed? sudo apt-get install -y prometheus-node-exporter"
    else:
        fix = f"let it write there: sudo setfacl -m u:{user}:rwx {folder}"
    message = f"the kiosk cannot write its counts there: {why}; {fix}"
    return [staff.problem(("usage", "metrics_file"), message, "warning")]


def _staff_texts(node: object, path: KeyPath = ()) -> list[tuple[KeyPath, str]]:
    """Every text of the staff file with where it is."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _staff_texts(v, (*path, k))]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _staff_texts(v, (*path, i))]
    return []


def _entry(problem: Problem) -> tuple[int, str]:
    return (logging.ERROR if problem.is_error else logging.WARNING, str(problem))


def _staff_document(path: Path | None) -> Document | None:
    """The staff file again, for the lines of what it says (None if it does not parse)."""
    if path is None:
        return None
    doc, _ = read_staff_file(path)
    return doc


def _named_image_problems(staff: Document, known: tuple[Problem, ...]) -> list[Problem]:
    """The images of a file that did not load; names that cannot be looked up are told
    once (loading has told most of them) and never opened."""
    found, refused = staff_images(staff, media_dir())
    problems = [p for p in refused if p not in known]
    for path, image in found:
        problem = check_image(image)
        if problem:
            message = f"{problem}; expected an .svg, .png or .jpg file that opens"
            problems.append(staff.problem(path, message))
    return problems


def image_problems(config: Config, staff: Document | None = None) -> list[Problem]:
    """Images that are missing, unreadable or damaged, at the line of the staff file that
    names them (without a line when the image is the built-in one)."""
    problems = []
    for index, point in enumerate(config.content.points):
        if point.image is None:
            continue
        problem = check_image(point.image)
        if problem is None:
            continue
        path = ("points", index, "image")
        message = f"{problem}; point {point.id} needs an .svg, .png or .jpg file that opens"
        if staff is not None and (path in staff.marks or path[:2] in staff.marks):
            problems.append(staff.problem(path, message))
        else:
            ids = tuple(p.id for p in config.content.points)
            problems.append(Problem(config.source, message, path, ids=ids))
    return problems


def font_problems(config: Config, staff: Document | None = None) -> list[Problem]:
    """Texts of any language with characters the bundled font (DejaVu Sans) cannot draw:
    they would show as empty boxes. One warning per text, at its line in ``staff`` where it
    has one, naming the characters and a font that has them."""
    fonts = media_dir() / "fonts"
    glyphs = Glyphs((fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"))
    ids = tuple(point.id for point in config.content.points)
    problems = []
    for code, content in config.contents.items():
        for path, text in every_text(content):
            missing = glyphs.missing(text)
            if not missing:
                continue
            shown = " ".join(f"{char} (U+{ord(char):04X})" for char in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            message = (
                f"the kiosk's font, DejaVu Sans (media/fonts), cannot draw {shown}{more}: "
                f"they show as empty boxes. This text needs {font_for(missing)}"
            )
            problems.append(_language_problem(config, staff, code, path, message, ids))
    return problems


def _language_problem(
    config: Config,
    staff: Document | None,
    code: str,
    path: KeyPath,
    message: str,
    ids: tuple[str, ...],
) -> Problem:
    """A warning about the text at ``path`` (as at the top of the file) of language
    ``code``: at its line in ``staff`` when the file sets it, else at the built-in text."""
    if staff is not None:
        there = language_path(staff.data, code, path, ids)
        if _text_mark(staff, there) is not None:
            return staff.problem(there, message, "warning")
    there = language_path(builtin_document().data, code, path, ids)
    return Problem(config.source, message, there, severity="warning", ids=ids)


@dataclass
class _Misfit:
    """What one text does at one screen size, over the screens it is on."""

    text: str = ""
    lines: int = 0
    crowds: list[str] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)


def fit_problems(config: Config, staff: Document | None = None) -> list[Problem]:
    """Every text that does not fit: on the screen texts are measured on (:data:`SMALLEST`)
    each text that takes more than :data:`MAX_LINES` lines even at its role's floor, and at
    every size of :data:`CHECK_SIZES` each text that makes its screen give way (its text below
    the floor, the drawing left out, the countdown ring much smaller). One warning per text,
    at its line in ``staff`` where it has one; a text already named at 800x480 is not named
    again for a larger screen.

    Screens are laid out at the floor only (``Screens.floor_only``): no search for the best
    size and no time budget, so the report is quick and the same on any machine.
    """
    content = config.content
    ids = tuple(point.id for point in content.points)
    data = staff.data if staff is not None else builtin_document().data
    found: dict[tuple[KeyPath, tuple[int, int]], _Misfit] = {}
    for size in CHECK_SIZES:
        screens = _floor_screens(config, size)
        for language, code in enumerate(config.contents):
            stops = [s for s in tour(config, language) if s.view.cancel_at is None]  # no band
            for stop in with_pages(stops, screens.pages):
                texts = screens.layout(stop.view).texts
                if code != content.language:
                    texts = tuple(_in_language(t, data, code, ids) for t in texts)
                for text, crowd in _blamed(texts, staff):
                    _note(found, text, size, stop.name).crowds.append(crowd)
                if size == SMALLEST:
                    for text in texts:
                        if text.lines > MAX_LINES and text.block.role.name != "pill":
                            _note(found, text, size, stop.name).lines = text.lines
    lines = {source: m.lines for (source, size), m in found.items() if size == SMALLEST}
    for (source, _), misfit in found.items():  # named at 800x480: with its length at SMALLEST
        misfit.lines = misfit.lines or lines.get(source, 0)
    named: set[KeyPath] = set()
    problems = []
    for (source, size), misfit in found.items():
        if source in named:
            continue
        named.add(source)
        problems.append(_fit_problem(config, staff, source, size, misfit, ids))
    return problems


def _in_language(text: Fitted, data: object, code: str, ids: tuple[str, ...]) -> Fitted:
    """``text`` of a screen in language ``code``, with the key path of its own words."""
    source = language_path(data, code, text.block.source, ids)
    return dataclasses.replace(text, block=dataclasses.replace(text.block, source=source))


def _note(
    found: dict[tuple[KeyPath, tuple[int, int]], _Misfit],
    text: Fitted,
    size: tuple[int, int],
    screen: str,
) -> _Misfit:
    misfit = found.setdefault((text.block.source, size), _Misfit(text.block.text))
    if screen not in misfit.screens:
        misfit.screens.append(screen)
    return misfit


def _blamed(texts: tuple[Fitted, ...], staff: Document | None) -> list[tuple[Fitted, str]]:
    """The texts to name for each way a screen gave way: those longer than
    :data:`MAX_LINES` at the floor, else the longest one (one the staff file sets first)."""
    blamed = []
    for crowd in dict.fromkeys(c for t in texts for c in t.crowds):
        crowded = [t for t in texts if crowd in t.crowds]
        long = [t for t in crowded if t.lines > MAX_LINES]
        if not long:
            mine = [t for t in crowded if staff is not None and t.block.source in staff.marks]
            long = [max(mine or crowded, key=lambda t: (t.lines, len(t.block.text)))]
        blamed += [(t, crowd) for t in long]
    return blamed


def _fit_problem(
    config: Config,
    staff: Document | None,
    source: KeyPath,
    size: tuple[int, int],
    misfit: _Misfit,
    ids: tuple[str, ...],
) -> Problem:
    """One warning for a text that does not fit at ``size``."""
    quoted = misfit.text if len(misfit.text) <= 40 else misfit.text[:37] + "..."
    does = [f'the text "{quoted}"']
    if misfit.lines:
        on = "" if size == SMALLEST else f" on a {SMALLEST[0]}x{SMALLEST[1]} screen"
        does[0] += (
            f" takes {misfit.lines} lines{on} even at the smallest readable size (a text "
            f"should take at most {MAX_LINES})"
        )
    else:
        does[0] += " is too long for the screen"
    does += list(dict.fromkeys(misfit.crowds))
    shown = misfit.screens[:3]
    more = len(misfit.screens) - len(shown)
    where = ("screens " if len(misfit.screens) > 1 else "screen ") + ", ".join(shown)
    if more:
        where += f" and {more} more"
    mark = _text_mark(staff, source)
    todo = "shorten it" if mark else "to shorten it, set it in the file"
    message = f"on {where} at {size[0]}x{size[1]}: {'; '.join(does)}; {todo}"
    if mark is None:
        return Problem(config.source, message, source, severity="warning", ids=ids)
    assert staff is not None
    return Problem(staff.file, message, source, *mark, severity="warning", ids=ids)


def _text_mark(staff: Document | None, source: KeyPath) -> tuple[int, int] | None:
    """Where the staff file writes the text at ``source`` (a list of lines written as one
    text counts as its first line), or None when the text is a built-in one."""
    if staff is None:
        return None
    if source in staff.marks:
        return staff.marks[source]
    if source and source[-1] == 0 and source[:-1] in staff.marks:
        return staff.marks[source[:-1]]
    return None


def main(args: argparse.Namespace) -> int:
    """Say which file is checked, print every problem of it; exit 1 if there is an error.

    The problems go to stdout, one a line, and nothing else does (a script can count them);
    the line that names the file and the summary go to stderr, like the kiosk's log. Under
    systemd each line carries its priority for the journal (:mod:`kiosk.devices.journal`).
    """
    note, show = printer(sys.stderr), printer(sys.stdout)
    staff = pick_staff_file(args.config)
    note(printable(f"Checking {staff.description}"), logging.INFO)
    report = check_config(staff.path)
    for line in report.notes:
        note(line, logging.INFO)
    for level, line in report.entries:
        show(line, level)
    sys.stdout.flush()  # the problems before the summary, also when both go to one file
    note(report.summary, report.level)
    return 1 if report.errors else 0
