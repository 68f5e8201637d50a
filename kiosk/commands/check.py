"""The ``check`` command: every problem of a staff file, in one report.

Beyond what loading finds (syntax, keys, types, ranges, pins), this opens every image and lays
out every screen at the common screen sizes, reporting texts that do not fit even at the
smallest readable size.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.content.build import staff_images
from kiosk.content.builtin import media_dir
from kiosk.content.config import Config, load_config, pick_staff_file, read_staff_file
from kiosk.content.yamlfile import Document, Problem, printable
from kiosk.devices.journal import printer
from kiosk.ui.images import check_image
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import tour

CHECK_SIZES = ((800, 480), (1280, 720), (1920, 1080), (1080, 1920))


@dataclass
class Report:
    """The lines to print, each with its level (``logging.ERROR`` or ``logging.WARNING``)."""

    entries: list[tuple[int, str]]

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
        problems = [] if staff is None else _named_image_problems(staff, config.problems)
        return Report(entries + [_entry(p) for p in problems])
    entries += [_entry(p) for p in image_problems(config, staff)]
    entries += [_entry(Problem(config.source, m)) for m in fit_problems(config)]
    return Report(entries)


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


def fit_problems(config: Config) -> list[str]:
    """Screens whose text does not fit at the smallest readable size."""
    problems = []
    for size in CHECK_SIZES:
        renderer = build_renderer(config, size)
        for stop in tour(config):
            layout = renderer.layout(stop.view)
            problems += [
                f"screen {stop.name} at {size[0]}x{size[1]}: {what}; shorten its texts"
                for what in layout.overflow
            ]
    return problems


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
    for level, line in report.entries:
        show(line, level)
    sys.stdout.flush()  # the problems before the summary, also when both go to one file
    note(report.summary, report.level)
    return 1 if report.errors else 0
