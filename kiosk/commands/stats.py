"""The ``stats`` command: the usage counts, a table per ISO week or, with ``--csv``, a row a day.

It reads the kiosk's database read-only (:func:`kiosk.devices.usagedb.read_records`), so it
works while the kiosk runs. Without ``--state-dir`` it reads the installed kiosk's
(:data:`INSTALLED_STATE_DIR`) when that has a database and no ``$STATE_DIRECTORY`` is set,
else the folder ``run`` would use (:func:`kiosk.devices.usagedb.default_state_dir`). Weeks
and days are in this machine's local time. "Reach" per point is how many sessions completed
at least one hold of that point. Where sessions ran in more than one language, a column per
language code counts the sessions started in it.

``--chart FILE.png`` draws the weekly counts and the reach per point into a PNG picture
(:mod:`kiosk.ui.chart`, with the kiosk's own drawing layer: no plotting library) instead of
printing the table; with ``--csv`` too, the CSV still goes to stdout and the chart to the
file. A FILE in a folder that does not exist, a folder, or a name not ending in ``.png`` is
refused with one line and exit status 2, before the database is read. With nothing recorded
no picture is written. Without a display (no ``$DISPLAY`` or ``$WAYLAND_DISPLAY``) SDL's
dummy video driver is set before pygame is imported, so it works over SSH.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from kiosk.core.tallies import Tally, language_order, point_order, tally
from kiosk.devices.usagedb import DB_NAME, default_state_dir, read_records

#: The installed kiosk's state folder (the unit's ``StateDirectory=``).
INSTALLED_STATE_DIR = Path("/var/lib/acupressure-kiosk")
#: The counts' columns, in the table's words and the CSV's.
COUNTS = ("started", "completed", "cancelled", "abandoned")


def main(args: argparse.Namespace) -> int:
    chart = getattr(args, "chart", None)
    if chart is not None and (problem := chart_problem(chart)):
        print(f"acupressure-kiosk stats: error: argument --chart: {problem}", file=sys.stderr)
        return 2
    path = pick_state_dir(args.state_dir) / DB_NAME
    try:
        records = read_records(path)
    except sqlite3.Error as err:
        print(f"Cannot read the usage counts in {path}: {err}", file=sys.stderr)
        return 1
    local = datetime.now().astimezone().tzinfo
    tallies = tally(records, by="day" if args.csv else "week", tz=local, since=args.since)
    if not tallies:
        since = f" since {args.since.isoformat()}" if args.since else ""
        print(f"No sessions recorded{since} (in {path}).")
        return 0
    points = point_order(records)
    languages = language_order(records)
    languages = languages if len(languages) > 1 else []
    if args.csv:
        write_csv(tallies, points, sys.stdout, languages)
    if chart is not None:
        weeks = tallies if not args.csv else tally(records, tz=local, since=args.since)
        days = tally(records, by="day", tz=local, since=args.since)
        try:
            write_chart(chart, weeks, points, days[0].period, days[-1].period)
        except (OSError, RuntimeError) as err:  # pygame.error is a RuntimeError
            print(f"Cannot write the chart {chart}: {err}", file=sys.stderr)
            return 1
        # With the CSV on stdout (often into a file), the note goes to stderr.
        print(
            f"Chart saved in {chart}",
            file=sys.stderr if args.csv else sys.stdout,
        )
    elif not args.csv:
        sys.stdout.write(table(tallies, points, languages))
    return 0


def chart_problem(chart: Path) -> str | None:
    """What stops a chart being written to ``chart``, in one line; None when nothing does."""
    if chart.suffix.lower() != ".png":
        return f"{chart} is not a .png file name (the chart is a PNG picture)"
    if chart.is_dir():
        return f"{chart} is a folder, not a file"
    folder = chart.parent
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    return None


def write_chart(
    chart: Path, weeks: Sequence[Tally], points: Sequence[str], first: str, last: str
) -> None:
    """Draw the weekly tallies into the PNG file ``chart`` (sessions from day ``first`` to
    day ``last``, ISO dates)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # before pygame is imported
    from kiosk.ui.chart import draw_chart, save_chart

    made = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    note = (
        f"Made by acupressure-kiosk stats on {made}. Weeks run Monday to Sunday (local time); "
        "a session counts in the week it started."
    )
    surface = draw_chart(
        weeks, points, date.fromisoformat(first), date.fromisoformat(last), note=note
    )
    save_chart(surface, chart)


def pick_state_dir(given: Path | None, installed: Path = INSTALLED_STATE_DIR) -> Path:
    """The folder to read: ``given``; else the installed kiosk's when it holds a database
    (and systemd gives no other); else the one ``run`` would write."""
    if given is not None:
        return given
    if not os.environ.get("STATE_DIRECTORY") and (installed / DB_NAME).exists():
        return installed
    return default_state_dir()


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def table(tallies: Sequence[Tally], points: Sequence[str], languages: Sequence[str] = ()) -> str:
    """A plain text table, a row a week: the counts, the median minutes of the completed
    sessions, the reach of each point and the sessions started in each of ``languages``."""
    header = ["week", *COUNTS, "median min", *points, *(f"in {code}" for code in languages)]
    rows = [
        [
            t.period,
            *(str(getattr(t, name)) for name in COUNTS),
            _minutes(t.median_minutes) or "-",
            *(str(t.reach.get(p, 0)) for p in points),
            *(str(t.languages.get(code, 0)) for code in languages),
        ]
        for t in tallies
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip() + "\n"

    note = (
        "median min: the median length of the completed sessions, in minutes.\n"
        "Each point's column: the sessions that completed a hold of that point.\n"
    )
    if languages:
        note += "in en, in es, ...: the sessions started in that language.\n"
    return line(header) + "".join(line(row) for row in rows) + "\n" + note


def write_csv(
    tallies: Sequence[Tally], points: Sequence[str], out: TextIO, languages: Sequence[str] = ()
) -> None:
    """A row a day: ``date,started,completed,cancelled,abandoned,median_minutes``, a
    ``reach_<point id>`` column for each point and a ``started_<code>`` column for each of
    ``languages``."""
    writer = csv.writer(out, lineterminator="\n")
    header = ["date", *COUNTS, "median_minutes", *(f"reach_{p}" for p in points)]
    writer.writerow(header + [f"started_{code}" for code in languages])
    for t in tallies:
        writer.writerow(
            [
                t.period,
                *(getattr(t, name) for name in COUNTS),
                _minutes(t.median_minutes),
                *(t.reach.get(p, 0) for p in points),
                *(t.languages.get(code, 0) for code in languages),
            ]
        )
