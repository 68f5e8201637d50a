"""What each screen says (kiosk.content.spoken) and the speech: section of a staff file."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from test_speech_audio import square_wav

from kiosk.commands.check import check_config
from kiosk.content.config import load_config
from kiosk.content.settings import defaults_yaml, settings_markdown
from kiosk.content.spoken import every_utterance, screen_key, spoken, text_ids
from kiosk.core.session import Phase, View

CONFIG = load_config()
CONTENT = CONFIG.content
STEPS = CONTENT.steps()


def say(view: View, content=CONTENT, beeps: bool = True) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(u.id, u.words) for u in spoken(view, content, content.steps(), beeps)]


def test_each_screen_says_its_own_words() -> None:
    assert say(View(Phase.IDLE)) == []
    [(text_id, words)] = say(View(Phase.SAFETY))
    assert text_id == "safety"
    assert all(line in words for line in CONTENT.safety.lines)
    [(text_id, words)] = say(View(Phase.INTRO, point=2, step=4))
    point = CONTENT.points[2]
    assert text_id == f"intro.{point.id}"
    assert point.name in words and all(step in words for step in point.find)
    assert "Hold for 45 seconds" in words and point.caution in words
    [(text_id, words)] = say(View(Phase.HOLD, point=0, step=1))
    assert text_id == "hold.UB60.2" and words.startswith("Left side. Hold for 30 seconds.")
    assert "until you hear the beep" in words
    [(_, words)] = say(View(Phase.HOLD, point=0, step=1), beeps=False)
    assert "until the timer ends" in words


def test_a_hold_that_ends_says_so_first_then_what_comes_next() -> None:
    other = say(View(Phase.DONE, point=0, step=0))
    assert [i for i, _ in other] == ["hold_done", "other_side"]
    assert other[0][1] == "Time is up. Well done!"
    assert other[1][1].startswith("Now the other side.")
    following = say(View(Phase.DONE, point=0, step=1))
    assert [i for i, _ in following] == ["hold_done", "next.UB40"]
    assert "Back of knee point" in following[1][1]
    summary = say(View(Phase.SUMMARY, point=3))
    assert [i for i, _ in summary] == ["hold_done", "summary"]
    assert all(line in summary[1][1] for line in CONTENT.side_effects.lines)
    [(text_id, words)] = say(View(Phase.WARNING, point=1))
    assert text_id == "warning" and words.startswith("Are you still there?")


def test_the_words_come_from_the_content_the_screen_is_drawn_from() -> None:
    """A session in another language speaks that language's Content."""
    texts = dict(
        CONTENT.texts, hold_done="Se acabó el tiempo. ¡Muy bien!", warning_title="¿Sigue ahí?"
    )
    other = dataclasses.replace(CONTENT, texts=texts)
    assert say(View(Phase.DONE, point=0, step=0), other)[0][1] == "Se acabó el tiempo. ¡Muy bien!"
    assert say(View(Phase.WARNING), other)[0][1].startswith("¿Sigue ahí?")


def test_every_utterance_is_what_the_screens_say_each_once() -> None:
    everything = every_utterance(CONTENT, STEPS, True)
    ids = [u.id for u in everything]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(text_ids(CONTENT))
    assert {"safety", "summary", "warning", "hold_done", "other_side", "hold.GB34"} <= set(ids)


def test_a_new_screen_is_a_new_phase_step_or_point_not_a_countdown_or_the_stop_band() -> None:
    hold = View(Phase.HOLD, point=0, step=0, started=1.0, ends=31.0)
    assert screen_key(hold) == screen_key(dataclasses.replace(hold, cancel_from=2.0, cancel_at=4.5))
    assert screen_key(hold) != screen_key(dataclasses.replace(hold, step=1))
    assert screen_key(View(Phase.IDLE, point=0)) == screen_key(View(Phase.IDLE, point=3))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_speech_is_off_by_default_and_on_with_its_settings(tmp_path: Path) -> None:
    assert CONFIG.speech.enabled is False
    square_wav(tmp_path / "safety.wav", 3000, 0.5)
    config = load_config(
        write(
            tmp_path,
            "speech:\n  enabled: true\n  volume_percent: 60\n  voices:\n    en: en-gb\n"
            "  audio:\n    safety: safety.wav\n",
        )
    )
    assert not config.problems
    speech = config.speech
    assert speech.enabled and speech.volume_percent == 60 and speech.engine == "espeak-ng"
    assert speech.voice("en") == "en-gb" and speech.voice("es") == "es"
    assert speech.recordings == {"safety": tmp_path / "safety.wav"}


@pytest.mark.parametrize(
    ("yaml", "line", "says"),
    [
        ("speech:\n  enabled: yes please\n", 2, "expected true or false"),
        ("speech:\n  volume_percent: 150\n", 2, "from 5 up to 100"),
        ("speech:\n  engine: festival\n", 2, "expected one of espeak-ng, piper"),
        ("speech:\n  piper_model: voice.bin\n", 2, "(.onnx)"),
        ("speech:\n  voices:\n    en: 'en; rm -rf'\n", 3, "espeak-ng voice name"),
        (
            "speech:\n  audio:\n    safty: safety.wav\n",
            3,
            "is not a spoken text; the texts are safety",
        ),
        ("speech:\n  audio:\n    safety: safety.mp3\n", 3, "expected a .wav file"),
        ("speech:\n  audio:\n    safety: gone.wav\n", 3, "does not exist"),
        ("speech:\n  audio:\n    safety: folder.wav\n", 3, "is not a regular file"),
        ("speech:\n  loudness: 3\n", 2, "loudness"),
    ],
)
def test_wrong_speech_settings_name_file_line_and_what_was_expected(
    tmp_path: Path, yaml: str, line: int, says: str
) -> None:
    (tmp_path / "folder.wav").mkdir()
    path = write(tmp_path, yaml)
    config = load_config(path)
    [problem] = config.errors
    assert problem.file == str(path) and problem.line == line
    assert says in problem.message
    assert config.fallback and not config.speech.enabled


def test_piper_without_a_model_is_a_warning_and_espeak_speaks(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "speech:\n  engine: piper\n"))
    [problem] = config.problems
    assert not problem.is_error and "needs speech.piper_model" in problem.message


def test_check_reads_every_recordings_header_and_names_its_line(tmp_path: Path) -> None:
    square_wav(tmp_path / "good.wav", 3000, 0.5)
    (tmp_path / "text.wav").write_text("not a sound at all")
    os.mkfifo(tmp_path / "pipe.wav")
    path = write(
        tmp_path,
        "speech:\n  audio:\n    safety: good.wav\n    summary: text.wav\n    warning: pipe.wav\n",
    )
    report = check_config(path)
    lines = report.lines
    assert (
        f"{path}:4:5: speech.audio.summary: `text.wav` is not a WAV file (no RIFF/WAVE header)"
        in lines
    )
    assert any(
        line.startswith(f"{path}:5:5: speech.audio.warning:") and "not a regular file" in line
        for line in lines
    )
    assert not any("good.wav" in line for line in lines)
    assert report.errors == 2


def test_defaults_and_the_settings_table_show_the_speech_settings() -> None:
    text = defaults_yaml()
    assert "speech:\n" in text and "  enabled: false\n" in text and "#   safety: safety.wav" in text
    table = settings_markdown()
    assert "`speech.volume_percent` | `80` | 5–100" in table
    assert "`speech.enabled` | `false` | true / false" in table
    assert table in Path("docs/configuration.md").read_text()
