"""The default content in plain language: grade 6 or lower, reading ease 75 or higher."""

from __future__ import annotations

import re

import textstat

from kiosk.content.config import load_config
from kiosk.content.model import Content

CONTENT = load_config().content
SAMPLE = {
    "minutes": 7,
    "seconds": 3,
    "number": 2,
    "total": 4,
    "name": "Hand point",
    "duration": "30 seconds",
}


def every_text(c: Content = CONTENT, sample: dict[str, object] = SAMPLE) -> list[str]:
    """Every text a patient reads in ``c``, its placeholders filled in from ``sample``."""
    texts = [c.text(key, **sample) for key in c.texts if not key.startswith(("unit_", "staff_"))]
    for page in (c.safety, c.summary, c.side_effects):
        texts += [page.title, *page.lines]
    for point in c.points:
        texts += [point.name, point.where, *point.find, point.reminder]
        texts += [point.caution] if point.caution else []
    return texts


def as_sentences(texts: list[str]) -> str:
    return " ".join(t if t.rstrip()[-1:] in ".!?" else t + "." for t in texts)


def test_whole_content_is_plain() -> None:
    text = as_sentences(every_text())
    grade = textstat.flesch_kincaid_grade(text)
    ease = textstat.flesch_reading_ease(text)
    assert grade <= 6, f"Flesch-Kincaid grade {grade}"
    assert ease >= 75, f"Flesch reading ease {ease}"


def test_no_step_is_a_long_sentence() -> None:
    for text in every_text():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            assert len(sentence.split()) <= 14, sentence


def test_no_promises() -> None:
    words = " ".join(every_text()).lower()
    for banned in ("cure", "treat", "proven", "guarantee"):
        assert banned not in words
    assert "may help" in words  # honest about what it can do


def test_cautions_where_they_apply() -> None:
    points = {p.id: p for p in CONTENT.points}
    assert "gently" in points["UB40"].caution.lower()
    assert "not hard" in points["GB34"].caution.lower()
    for pid in ("LI4", "UB60"):
        assert "pregnant" in points[pid].caution.lower()
    safety = " ".join(CONTENT.safety.lines).lower()
    for needed in (
        "pregnant",
        "blood pressure",
        "dizzy",
        "sick",
        "pain",
        "cuts",
        "bruises",
        "swelling",
        "veins",
        "care team",
    ):
        assert needed in safety, needed
    effects = " ".join(CONTENT.side_effects.lines).lower()
    for needed in ("sore", "bruise", "dizzy", "sick"):
        assert needed in effects


def test_routine_length_is_about_five_to_eight_minutes() -> None:
    assert 5 <= CONTENT.minutes() <= 8
