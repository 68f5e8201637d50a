"""The speaker in the loop (kiosk.app.speaking) with a fake player and renderer, and the
real mixer with no sound device."""

from __future__ import annotations

import dataclasses
import logging
import math
from pathlib import Path

import pytest

from kiosk.app.speaking import CLOSE_AFTER, CUE_LEAD, RETRY_SECONDS, Speaker
from kiosk.content.config import load_config
from kiosk.content.speech import default_speech
from kiosk.content.spoken import spoken
from kiosk.core.session import Phase, View
from kiosk.devices.audio import AudioError, Mixer
from kiosk.devices.speechcache import Job


class FakePlayer:
    """Records what it plays; every sound is ``length`` seconds; ``present`` is the device."""

    def __init__(self, present: bool = True, length: float = 2.0) -> None:
        self.present = present
        self.length = length
        self.is_open = False
        self.played: list[tuple[str, float]] = []
        self.afters: list[float] = []  # the silence before each sound
        self.stops = 0
        self.opens = 0

    def open(self) -> bool:
        self.opens += 1
        self.is_open = self.present
        return self.present

    def play(self, path: Path, volume: float, after: float = 0.0) -> float:
        if not self.present:
            self.is_open = False
            raise AudioError("unplugged")
        self.played.append((path.name, volume))
        self.afters.append(after)
        return after + self.length

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        self.is_open = False


class FakePrerender:
    """Every job is ready at once unless held back; the path is named by the words."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.prepared: list[list[Job]] = []

    def prepare(self, jobs) -> None:  # type: ignore[no-untyped-def]
        self.prepared.append(list(jobs))

    def sound(self, job: Job) -> Path | None:
        return None if job.words in self.held else Path(f"{job.words[:12]}.wav")

    def failed(self, job: Job) -> bool:
        return False

    def close(self) -> None:
        pass


CONFIG = dataclasses.replace(load_config(), speech=default_speech(enabled=True, volume_percent=60))
CONTENT = CONFIG.content
STEPS = CONTENT.steps()
SAFETY = View(Phase.SAFETY)
INTRO = View(Phase.INTRO, point=0, step=0)
DONE = View(Phase.DONE, point=0, step=0, started=5.0)


def speaker(
    player: FakePlayer | None = None, config=CONFIG
) -> tuple[Speaker, FakePlayer, FakePrerender]:  # type: ignore[no-untyped-def]
    player = player or FakePlayer()
    prerender = FakePrerender()
    made = Speaker(config, prerender, player)  # type: ignore[arg-type]
    made.show(View(Phase.IDLE), 0.0)
    return made, player, prerender


def words(view: View) -> list[str]:
    return [f"{u.words[:12]}.wav" for u in spoken(view, CONTENT, STEPS, True)]


def test_a_new_screen_is_spoken_at_once_at_the_set_volume() -> None:
    made, player, prerender = speaker()
    assert prerender.prepared and len(prerender.prepared[0]) > 10  # every text, ahead
    made.show(SAFETY, 1.0)
    assert player.played == [(words(SAFETY)[0], 0.6)]
    made.show(SAFETY, 1.5)  # the same screen drawn again: nothing new
    assert len(player.played) == 1


def test_a_screens_second_utterance_waits_for_the_first_to_end() -> None:
    made, player, _ = speaker(FakePlayer(length=1.25))
    made.show(DONE, 5.0)
    first, second = words(DONE)
    assert player.played == [(first, 0.6)]
    assert made.due() == 6.25  # the loop sleeps until then
    made.run(None, 6.25)
    assert [name for name, _ in player.played] == [first, second]


def test_a_sound_not_ready_is_played_when_ready_only_if_its_screen_is_still_up() -> None:
    made, player, prerender = speaker()
    safety_words = spoken(SAFETY, CONTENT, STEPS, True)[0].words
    prerender.held.add(safety_words)
    made.show(SAFETY, 1.0)
    assert player.played == [] and made.due() == math.inf  # nothing to wake for yet
    prerender.held.clear()  # the thread finished it (and woke the loop)
    assert made.due() == 1.0
    made.run(None, 1.4)
    assert [name for name, _ in player.played] == words(SAFETY)
    prerender.held.add(spoken(INTRO, CONTENT, STEPS, True)[0].words)
    made.show(INTRO, 2.0)
    made.show(View(Phase.HOLD, point=0, step=0, started=3.0, ends=33.0), 3.0)  # moved on
    prerender.held.clear()
    made.run(None, 3.1)
    assert words(INTRO)[0] not in [name for name, _ in player.played]


def test_moving_on_stops_the_speech_and_an_idle_device_is_closed() -> None:
    made, player, _ = speaker(FakePlayer(length=3.0))
    made.show(SAFETY, 1.0)
    stops = player.stops
    made.show(INTRO, 1.5)
    assert player.stops == stops + 1
    made.show(View(Phase.IDLE), 2.0)
    assert player.stops == stops + 2
    assert made.due() == pytest.approx(1.5 + 3.0 + CLOSE_AFTER)
    made.run(None, made.due())
    assert not player.is_open and made.due() == math.inf


def test_the_volume_is_set_again_at_the_start_of_every_session() -> None:
    made, player, _ = speaker()
    made.show(SAFETY, 1.0)
    made.volume = 1.0  # say a later version lets staff turn it up for one patient
    made.show(View(Phase.IDLE), 5.0)
    made.show(SAFETY, 6.0)
    assert player.played[-1][1] == 0.6


def test_no_sound_device_is_silent_and_tried_again_later() -> None:
    made, player, _ = speaker(FakePlayer(present=False))
    made.show(SAFETY, 1.0)
    assert player.played == [] and player.opens == 1
    made.show(INTRO, 2.0)  # within RETRY_SECONDS: not tried again
    assert player.opens == 1
    player.present = True  # a speaker is plugged in
    made.show(View(Phase.HOLD, point=0, step=0), 1.0 + RETRY_SECONDS)
    assert player.opens == 2 and len(player.played) == 1
    player.present = False  # and pulled out while open
    made.show(DONE, 1.0 + RETRY_SECONDS + 1)
    assert not player.is_open


def test_speech_off_says_nothing_and_opens_no_device() -> None:
    made, player, prerender = speaker(config=load_config())
    made.show(SAFETY, 1.0)
    assert player.opens == 0 and player.played == [] and prerender.prepared == []


def test_a_reloaded_file_is_spoken_from_then_on() -> None:
    made, _, prerender = speaker()
    texts = dict(CONTENT.texts, hold_done="All the time is up.")
    reloaded = dataclasses.replace(CONFIG, content=dataclasses.replace(CONTENT, texts=texts))
    made.use(reloaded)
    assert any(job.words == "All the time is up." for job in prerender.prepared[-1])


def test_a_recording_replaces_the_voice_for_its_text(tmp_path: Path) -> None:
    recording = tmp_path / "safety.wav"
    speech = dataclasses.replace(CONFIG.speech, recordings={"safety": recording})
    _, _, prerender = speaker(config=dataclasses.replace(CONFIG, speech=speech))
    jobs = {job.words[:6]: job for job in prerender.prepared[0]}
    assert jobs["Before"].recording == recording
    assert jobs["Time i"].recording is None


def test_the_real_mixer_without_a_sound_device_logs_once_in_plain_words(
    monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    mixer = Mixer()
    with caplog.at_level(logging.WARNING):
        assert mixer.open() is False
        assert mixer.open() is False
    told = [r.getMessage() for r in caplog.records if "no sound device" in r.getMessage()]
    assert len(told) == 1 and "the kiosk runs silent" in told[0]
    with pytest.raises(AudioError):
        mixer.play(Path("x.wav"), 1.0)
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")  # the device is there now
    try:
        assert mixer.open() is True
    finally:
        mixer.close()


def test_speech_on_never_moves_the_timer_nor_makes_the_loop_poll(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A whole session through the loop (fake clock, SDL's dummy sound) with speech on: the
    hold ends at the same moment, with the same effects and wake-ups, as with it off."""
    from test_app import short_config
    from test_speech_audio import LEVELS, square_wav

    def session(speech: bool):  # type: ignore[no-untyped-def]
        config = short_config(hold=10.0)
        if speech:
            recordings = {
                text_id: square_wav(tmp_path / f"{text_id}.wav", level, 3.0)
                for text_id, level in LEVELS.items()
            }
            config = dataclasses.replace(
                config, speech=default_speech(enabled=True, recordings=recordings)
            )
        kiosk = make_kiosk(config)
        if speech:
            assert kiosk.app.speech.prerender.settle(10)
        ended: list[float] = []
        original = kiosk.app.parts.hold_ended
        kiosk.app.parts.hold_ended = lambda: (ended.append(kiosk.clock()), original())
        t0 = kiosk.clock.now
        for offset in (1, 2, 3.5):  # safety, intro, the hold starts at t0 + 3.5
            kiosk.press_at(t0 + offset)
        # At most 500 turns of the loop: a speaker that polled would spin here, not hang.
        kiosk.app.run(until=lambda app: kiosk.clock.now >= t0 + 30 or app.stats.wakeups > 500)
        return kiosk, [at - t0 for at in ended]

    quiet, quiet_ends = session(False)
    spoken_kiosk, spoken_ends = session(True)
    assert spoken_kiosk.app.speech.player.plays >= 4  # safety, intro, hold, hold done
    assert spoken_ends == pytest.approx(quiet_ends, abs=1e-3)
    assert quiet_ends == pytest.approx([13.5], abs=1e-3)
    assert spoken_kiosk.app.stats.effects == quiet.app.stats.effects
    # The speech's own deadlines (an utterance's end, closing the device) are the only
    # extra wake-ups: a few, not a poll.
    extra = spoken_kiosk.app.stats.wakeups - quiet.app.stats.wakeups
    assert 0 <= extra <= 6
    spoken_kiosk.app.speech.close()


def test_a_session_in_another_language_speaks_its_content_in_its_voice(tmp_path: Path) -> None:
    """The languages' hook: ``use(config, others)`` renders the other contents ahead, and
    ``show(view, now, content)`` speaks one of them; staff recordings (in the staff file's
    language) are not played for it."""
    recording = tmp_path / "safety.wav"
    speech = dataclasses.replace(
        CONFIG.speech, recordings={"safety": recording}, voices={"es": "es-419"}
    )
    config = dataclasses.replace(CONFIG, speech=speech)
    spanish = dataclasses.replace(
        CONTENT, safety=dataclasses.replace(CONTENT.safety, title="Antes de empezar")
    )
    object.__setattr__(spanish, "language", "es")  # what the languages branch gives Content
    made, player, prerender = speaker(config=config)
    made.use(config, others=(spanish,))
    queued = {job.words[:16]: job for job in prerender.prepared[-1]}
    assert queued["Antes de empezar"].voice == "es-419"
    assert queued["Antes de empezar"].recording is None
    assert queued["Before you start"].recording == recording
    made.show(SAFETY, 1.0, spanish)
    assert player.played[-1][0] == "Antes de emp.wav"


def test_a_session_started_on_the_spanish_card_speaks_spanish(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Through the loop: the idle cycle's Spanish card, a press, and the safety screen is
    spoken from the Spanish content in the Spanish voice."""
    config = dataclasses.replace(load_config(), speech=default_speech(enabled=True))
    assert list(config.contents) == ["en", "es"]
    kiosk = make_kiosk(config)
    player, prerender = FakePlayer(), FakePrerender()
    kiosk.app.speech.player, kiosk.app.speech.prerender = player, prerender
    kiosk.app.speech.use(config)
    voices = {job.voice for job in prerender.prepared[-1]}
    assert voices == {"en", "es"}  # both languages rendered ahead
    t0 = kiosk.clock.now
    cycle = config.timing.idle_cycle_seconds
    languages: list[int] = []
    kiosk.inbox.at(t0 + cycle + 0.5, lambda: languages.append(kiosk.app.session.view.language))
    kiosk.press_at(t0 + cycle + 1)  # on the first card, now in Spanish
    kiosk.run_until(t0 + cycle + 2)
    assert languages == [1]
    assert kiosk.app.session.phase is Phase.SAFETY
    spanish = list(config.contents.values())[1]
    assert player.played[-1][0] == f"{spanish.safety.title[:12]}.wav"


HOLD = View(Phase.HOLD, point=0, step=0, started=10.0, ends=40.0)


def test_the_holds_end_is_handed_over_ahead_led_by_silence_and_plays_on() -> None:
    """Time is up is handed to the sound device CUE_LEAD before the hold ends, led by
    silence to the end; the screen after the hold lets it play and says the rest after it."""
    made, player, _ = speaker(FakePlayer(length=3.0))
    made.show(HOLD, 10.0)
    assert len(player.played) == 1  # "Hold for ..."
    assert made.due() == pytest.approx(40.0 - CUE_LEAD)
    made.run(None, 38.5)  # the loop was half a second late for it: less silence
    done_words = words(DONE)
    assert player.played[-1] == (done_words[0], 0.6)
    assert player.afters[-1] == pytest.approx(1.5)
    stops = player.stops
    made.show(DONE, 40.8)  # the frame after the hold's end, drawn late
    assert player.stops == stops and len(player.played) == 2  # not cut, not said twice
    assert made.due() == pytest.approx(40.0 + 3.0)  # the rest once it ends (fake length)
    made.run(None, 43.0)
    assert [name for name, _ in player.played][-1] == done_words[1]


def test_a_hold_whose_words_run_to_its_end_is_not_cued() -> None:
    made, player, _ = speaker(FakePlayer(length=31.0))  # the words end after the hold
    made.show(HOLD, 10.0)
    assert made.due() == pytest.approx(41.0 + CLOSE_AFTER)  # only closing the idle device
    made.show(DONE, 40.0)
    assert player.played[-1][0] == words(DONE)[0] and player.afters[-1] == 0


def test_a_stop_before_the_holds_end_cuts_the_cued_words() -> None:
    made, player, _ = speaker(FakePlayer(length=3.0))
    made.show(HOLD, 10.0)
    made.run(None, made.due())
    stops = player.stops
    made.show(View(Phase.IDLE), 39.0)  # a long press stopped the session
    assert player.stops == stops + 1
    made.show(SAFETY, 50.0)
    made.show(View(Phase.HOLD, point=0, step=0, started=60.0, ends=70.0), 60.0)
    assert made.due() == pytest.approx(70.0 - CUE_LEAD)  # a new hold, a new cue


def test_the_real_mixer_names_its_sound_driver_once(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Staff (and the VM test) read which of SDL's drivers plays the speech: said at the first
    open, not again at each session's."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    mixer = Mixer()
    with caplog.at_level(logging.INFO, logger="kiosk.devices.audio"):
        for _ in range(2):
            assert mixer.open() is True
            mixer.close()
    told = [r.getMessage() for r in caplog.records if "sound driver" in r.getMessage()]
    assert told == ["Speech plays through SDL's dummy sound driver"]
