"""The Spanish content in plain words: Fernández-Huerta reading ease 80 or more over all of
it, measured offline (textstat 0.7.8 counts Spanish syllables with pyphen's dictionary,
shipped in the package: nothing is downloaded), short sentences, and the same safety facts
as the English."""

from __future__ import annotations

import re

import pytest
import test_language as english
import textstat

from kiosk.content.config import load_config

CONTENT = load_config().contents["es"]
SAMPLE = {
    "minutes": 7,
    "seconds": 3,
    "number": 2,
    "total": 4,
    "name": "Punto de la mano",
    "duration": "30 segundos",
}


@pytest.fixture
def spanish():  # type: ignore[no-untyped-def]
    textstat.set_lang("es")
    yield
    textstat.set_lang("en_US")


def every_text() -> list[str]:
    return english.every_text(CONTENT, SAMPLE)


as_sentences = english.as_sentences


def test_spanish_syllables_are_counted_offline(spanish) -> None:  # type: ignore[no-untyped-def]
    """pyphen's Spanish dictionary splits these as a Spanish reader does (an English count
    would give "rodilla" 2 and "pulse" 1)."""
    assert textstat.syllable_count("rodilla") == 3
    assert textstat.syllable_count("mariposa") == 4
    assert textstat.syllable_count("pulse") == 2


def test_whole_spanish_content_reads_easily(spanish) -> None:  # type: ignore[no-untyped-def]
    text = as_sentences(every_text())
    ease = textstat.fernandez_huerta(text)
    assert ease >= 80, f"Fernández-Huerta reading ease {ease}"


def test_the_measure_would_catch_hard_spanish(spanish) -> None:  # type: ignore[no-untyped-def]
    hard = (
        "La digitopresión terapéutica constituye una intervención complementaria cuya "
        "eficacia analgésica permanece controvertida en la bibliografía especializada."
    )
    assert textstat.fernandez_huerta(hard) < 80


def test_no_spanish_step_is_a_long_sentence() -> None:
    for text in every_text():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            assert len(sentence.split()) <= 14, sentence


def test_the_spanish_keeps_every_safety_fact() -> None:
    safety = " ".join(CONTENT.safety.lines).lower()
    for needed in (
        "embarazada",
        "tensión alta",
        "marea",
        "vomitar",
        "duele",
        "cortes",
        "moratones",
        "bultos",
        "varices",
        "médico",
    ):
        assert needed in safety, needed
    points = {p.id: p for p in CONTENT.points}
    for pid in ("LI4", "UB60"):
        assert "embarazada" in points[pid].caution
    assert "suave" in points["UB40"].caution and "no fuerte" in points["GB34"].caution
    effects = " ".join(CONTENT.side_effects.lines).lower()
    for needed in ("doler", "moratón", "marea", "vomitar"):
        assert needed in effects
    assert "puede ayudar" in " ".join(every_text()).lower()  # honest, as the English
