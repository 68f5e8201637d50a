"""Content in several languages: English and Spanish built in, a staff file that changes
one, adds one or picks the default, and every missing text or point told with file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kiosk.commands.check import check_config
from kiosk.content.config import load_config

BUILTIN = load_config()


def write(folder: Path, text: str) -> Path:
    path = folder / "config.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    return [str(p) for p in load_config(path).errors]


FRENCH_TEXTS = {key: f"fr {key}" for key in BUILTIN.content.texts}
FRENCH_TEXTS |= {
    "duration": "Environ {minutes} minutes.",
    "long_press_hint": "Tenez {seconds} secondes.",
    "point_of": "Point {number} sur {total}",
    "hold_for": "Tenez {duration}.",
    "hold_for_each_side": "Tenez {duration} de chaque côté.",
    "next_point": "Ensuite : {name}.",
}


def french(texts: dict[str, str] | None = None, points: list[str] | None = None) -> str:
    """A whole French entry, as YAML lines under ``languages:`` (four spaces in)."""
    texts = FRENCH_TEXTS if texts is None else texts
    lines = ["  fr:", "    texts:"]
    lines += [f'      {key}: "{value}"' for key, value in texts.items()]
    for page in ("safety", "summary", "side_effects"):
        lines += [f"    {page}:", f'      title: "fr {page}"', "      lines:", '        - "fr"']
    lines.append("    points:")
    for pid in [p.id for p in BUILTIN.content.points] if points is None else points:
        lines += [
            f"      - id: {pid}",
            f'        name: "fr {pid}"',
            '        where: "fr"',
            '        find: ["fr un", "fr deux"]',
            '        reminder: "fr"',
            '        caution: "fr"',
        ]
    return "\n".join(lines) + "\n"


def test_english_and_spanish_are_built_in_with_the_same_routine() -> None:
    assert list(BUILTIN.contents) == ["en", "es"]
    en, es = BUILTIN.contents["en"], BUILTIN.contents["es"]
    assert BUILTIN.content is en and en.language == "en" and es.language == "es"
    assert es.language_name == "Español" and en.language_name == "English"
    assert set(es.texts) == set(en.texts)
    for ours, theirs in zip(en.points, es.points, strict=True):
        assert (ours.id, ours.hold_seconds, ours.sides) == (
            theirs.id,
            theirs.hold_seconds,
            theirs.sides,
        )
        assert (ours.image, ours.marker) == (theirs.image, theirs.marker)
        assert ours.name != theirs.name and ours.find != theirs.find
        assert bool(ours.caution) == bool(theirs.caution)
    assert es.text("invite") != en.text("invite")
    assert es.duration(90) == "1 minuto 30 segundos"
    assert es.number(2.5) == "2,5" and en.number(2.5) == "2.5" and es.number(3.0) == "3"
    assert es.steps() == en.steps() and es.minutes() == en.minutes()


def test_a_new_session_cycles_through_every_language() -> None:
    session = BUILTIN.new_session(0.0)
    assert session.languages == 2


def test_a_staff_file_changes_one_spanish_text_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        languages:
          es:
            texts:
              invite: "Pulse el botón grande"
            points:
              - id: LI4
                reminder: "Apriete con el pulgar."
        """,
    )
    config = load_config(path)
    assert not config.problems
    es = config.contents["es"]
    assert es.text("invite") == "Pulse el botón grande"
    assert es.text("title") == BUILTIN.contents["es"].text("title")
    points = {p.id: p for p in es.points}
    assert points["LI4"].reminder == "Apriete con el pulgar."
    assert points["LI4"].name == "Punto de la mano"


def test_languages_shown_makes_spanish_the_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "languages_shown: [es, en]\n"))
    assert not config.problems
    assert list(config.contents) == ["es", "en"]
    assert config.content.language == "es"
    assert config.content.points[0].name == "Punto del tobillo"


def test_languages_shown_can_leave_spanish_out(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "languages_shown: [en]\n"))
    assert list(config.contents) == ["en"]
    assert config.new_session(0.0).languages == 1


def test_a_whole_new_language_is_added(tmp_path: Path) -> None:
    path = write(tmp_path, "languages_shown: [en, es, fr]\nlanguages:\n" + french())
    config = load_config(path)
    assert not config.errors, config.errors
    fr = config.contents["fr"]
    assert list(config.contents) == ["en", "es", "fr"]
    assert fr.text("point_of", number=2, total=4) == "Point 2 sur 4"
    assert [p.hold_seconds for p in fr.points] == [p.hold_seconds for p in BUILTIN.content.points]
    assert fr.points[0].find == ("fr un", "fr deux")


def test_a_new_language_without_a_text_fails_with_its_line(tmp_path: Path) -> None:
    texts = {k: v for k, v in FRENCH_TEXTS.items() if k not in ("invite", "hold_done")}
    path = write(tmp_path, "languages_shown: [en, fr]\nlanguages:\n" + french(texts))
    problems = errors(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:4:")  # the line of `texts:` under fr
    assert "`invite` or `hold_done` texts" in problems[0]
    assert load_config(path).fallback


def test_a_new_language_without_a_point_fails_naming_it(tmp_path: Path) -> None:
    ids = [p.id for p in BUILTIN.content.points if p.id != "GB34"]
    path = write(tmp_path, "languages_shown: [en, fr]\nlanguages:\n" + french(points=ids))
    problems = errors(path)
    assert len(problems) == 1, problems
    assert "point GB34" in problems[0] and "languages.fr.points" in problems[0]
    report = check_config(path)
    assert report.errors == 1


def test_a_new_routine_point_needs_spanish_words_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        points:
          - id: UB60
          - id: UB40
          - id: LI4
          - id: GB34
          - id: ST36
            name: "Shin point"
            where: "Below the knee"
            find: ["Find it."]
            hold_seconds: 30
            sides: one
            reminder: "Breathe."
            image: li4.svg
        """,
    )
    problems = errors(path)
    assert any(
        "`es` has no `name`, `where`, `find` or `reminder` for point ST36" in p for p in problems
    ), problems


def test_the_words_of_a_language_cannot_change_the_routine(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        languages:
          es:
            points:
              - id: UB60
                hold_seconds: 10
        """,
    )
    (problem,) = errors(path)
    assert problem.startswith(f"{path}:5:")
    assert "`hold_seconds` is the same in every language" in problem


def test_english_is_changed_at_the_top_not_under_languages(tmp_path: Path) -> None:
    path = write(tmp_path, 'languages:\n  en:\n    texts:\n      invite: "Go"\n')
    (problem,) = errors(path)
    assert problem.startswith(f"{path}:2:") and "change them there" in problem


def test_a_bad_code_and_an_unknown_shown_language(tmp_path: Path) -> None:
    path = write(tmp_path, "languages_shown: [en, de]\nlanguages:\n  Spanish:\n    texts: {}\n")
    problems = errors(path)
    assert any(":1:" in p and "`de`" not in p and "is not a language here" in p for p in problems)
    assert any(":3:" in p and "language code of two or three small letters" in p for p in problems)


def test_a_language_defined_but_not_shown_is_a_warning(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "languages:\n" + french()))
    assert not config.errors
    (warning,) = [str(p) for p in config.problems]
    assert "`fr` is not in languages_shown" in warning
    assert list(config.contents) == ["en", "es"]


def test_a_placeholder_a_text_does_not_have_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'languages:\n  es:\n    texts:\n      invite: "Pulse en {seconds}"\n')
    (problem,) = errors(path)
    assert problem.startswith(f"{path}:4:") and "{seconds} is not filled in" in problem


def test_words_for_a_point_not_in_the_routine_are_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, 'languages:\n  es:\n    points:\n      - id: XX1\n        name: "x"\n')
    config = load_config(path)
    assert not config.errors
    assert any("not a point of the routine" in str(p) for p in config.problems)


def test_check_names_characters_the_font_cannot_draw_and_a_font_that_can(tmp_path: Path) -> None:
    texts = FRENCH_TEXTS | {"invite": "按下按钮开始"}
    path = write(tmp_path, "languages_shown: [en, fr]\nlanguages:\n" + french(texts))
    report = check_config(path)
    assert report.errors == 0, report.lines
    (line,) = [line for line in report.lines if "cannot draw" in line]
    invite = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "按" in text)
    assert line.startswith(f"{path}:{invite}:")
    assert "按 (U+6309)" in line and "Noto Sans CJK" in line and "fonts-noto-cjk" in line


def test_the_built_in_content_checks_clean_in_every_language() -> None:
    report = check_config(None)
    assert report.lines == [], report.lines
