"""The ``screenshots`` command: every screen a patient meets, rendered to PNG files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pygame

from kiosk.commands.report import report_config
from kiosk.content.config import Config, load_config, pick_staff_file
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import tour, with_pages


def save_screenshots(config: Config, size: tuple[int, int], out: Path) -> list[Path]:
    """Render every screen at ``size`` (every page of one split into pages) to PNG files in
    ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    renderer = build_renderer(config, size, notices=())
    surface = pygame.Surface(size)
    files = []
    for stop in with_pages(tour(config), renderer.pages):
        renderer.invalidate()
        renderer.draw(surface, stop.view, stop.now)
        path = out / f"{stop.name}.png"
        pygame.image.save(surface, str(path))
        files.append(path)
    return files


def make_folder(out: Path) -> str | None:
    """Make the folder ``out`` (and its parents); None when it is there, else what stops it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{out} is a file, not a folder"
    except NotADirectoryError:
        file = next((p for p in out.parents if p.exists() and not p.is_dir()), out)
        return f"{file} is a file, not a folder"
    except OSError as err:
        return f"cannot make the folder {out}: {err.strerror or err}"
    return None


def main(args: argparse.Namespace) -> int:
    problem = make_folder(args.out)
    if problem:  # a mistyped --out, told as argparse tells the others (exit status 2)
        print(f"acupressure-kiosk screenshots: error: argument --out: {problem}", file=sys.stderr)
        return 2
    config = load_config(pick_staff_file(args.config).path)
    report_config(config)
    files = save_screenshots(config, args.size, args.out)
    print(f"{len(files)} screens saved in {args.out}")
    return 1 if config.fallback else 0
