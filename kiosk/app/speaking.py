"""Spoken guidance in the loop: each screen's words when it appears, off the loop's back.

The :class:`Speaker` is told of every frame (:meth:`Speaker.show`). When a new screen is up
it stops what was being said and starts that screen's first utterance at once (within a few
milliseconds of the frame, well inside the 100 ms the issue asks); the next utterance of the
same screen starts when the last one ends, a deadline the loop sleeps until, as it does for
a hold. It is one of the loop's chores (:mod:`kiosk.app.chores`): ``due`` is that deadline.

Nothing here waits. The sounds are rendered ahead on :class:`~kiosk.devices.speechcache.
Prerender`'s thread; a sound not ready when its screen appears is played as soon as it is
ready, only if its screen is still up (the thread wakes the loop with ``Prepared``), else
never. A press that moves on stops the speech, because the screen changes; a press that
leaves the screen as it is (during a hold, a bounce) does not cut it off.

The end of a hold is not left to the frame: the loop may be busy drawing the countdown's
last second when the hold ends (a slow Pi, or a virtual machine where a frame takes a
second). So once a hold's own words have ended, :data:`CUE_LEAD` seconds before its end,
its "Time is up" is handed to the sound device led by silence up to the end: the sound
card's clock starts it on time. The screen after the hold lets it play on (a long press
that stops the session before the end cuts it, as any new screen cuts the words).

The sound device is opened for a session's first words and closed after
:data:`CLOSE_AFTER` seconds of quiet, so an idle kiosk has no audio thread waking it. With
no device the kiosk runs silent (told once) and tries again at a later screen, at most
every :data:`RETRY_SECONDS`: a speaker plugged in later is heard. The volume is set from
``speech.volume_percent`` at the start of every session.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.content.config import Config
from kiosk.content.model import Content
from kiosk.content.spoken import Utterance, every_utterance, hold_done, screen_key, spoken
from kiosk.core.session import Phase, View
from kiosk.devices.audio import AudioError
from kiosk.devices.speechcache import Job, Prerender

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.app.loop import App

log = logging.getLogger(__name__)

#: Seconds of quiet after which the sound device is closed (an idle kiosk does not wake
#: for an audio thread).
CLOSE_AFTER = 20.0
#: A missing sound device is tried again at a new screen at most this often, in seconds.
RETRY_SECONDS = 5.0
#: The language of content that does not say its own.
DEFAULT_LANGUAGE = "en"
#: How long before a hold ends its "Time is up" is handed to the sound device, in seconds,
#: led by silence up to the end (see the module docstring).
CUE_LEAD = 2.0


@dataclass
class _Cue:
    """The end of the hold on screen: when it is, what is said then, and when that sound
    (handed over ahead, led by silence) ends; ``until`` is None until it is handed over."""

    ends: float
    job: Job
    until: float | None = None


class Speaker:
    """Says each screen's words (see the module docstring).

    :param config: the running configuration (its ``speech``, content and routine).
    :param prerender: renders the sounds ahead (started here when speech is on).
    :param player: plays them (:class:`kiosk.devices.audio.Mixer`).
    :param beeps: whether a buzzer is fitted now (the hold's words say "the beep").
    """

    def __init__(
        self,
        config: Config,
        prerender: Prerender,
        player,  # type: ignore[no-untyped-def]
        beeps: Callable[[], bool] = lambda: True,
    ) -> None:
        self.prerender = prerender
        self.player = player
        self.beeps = beeps
        self.volume = 1.0
        self._key: tuple[object, ...] | None = None
        self._queue: list[Job] = []
        self._next_at = 0.0
        self._quiet_at = math.inf
        self._retry_at = -math.inf
        self._prepared_beeps: bool | None = None
        self._cue: _Cue | None = None
        self.use(config)

    # -- what to say ------------------------------------------------------------------

    def use(self, config: Config, others: tuple[Content, ...] = ()) -> None:
        """Speak ``config`` from now on (at start-up and after a reload); its sounds are
        rendered on the thread, those of the first screens first, then those of ``others``
        (the same content in other languages, for sessions :meth:`show` is given one of)."""
        self.config = config
        # Every other language the configuration offers, unless told which.
        self.others = others or tuple(
            content for content in config.contents.values() if content is not config.content
        )
        self.speech = config.speech
        self.volume = self.speech.volume_percent / 100
        self._prepared_beeps = None
        self._prepare()

    def _prepare(self) -> None:
        if not self.speech.enabled:
            return
        beeps = self.beeps()
        if beeps == self._prepared_beeps:
            return
        self._prepared_beeps = beeps
        jobs = []
        for content in (self.config.content, *self.others):
            utterances = every_utterance(content, content.steps(), beeps)
            jobs += [self._job(u, content) for u in utterances]
        self.prerender.prepare(jobs)

    def _job(self, utterance: Utterance, content: Content) -> Job:
        """What to play for ``utterance`` of ``content``: the staff recording of its text id
        (they are in the staff file's own language: only for its content), else the voice
        of the content's language."""
        language = getattr(content, "language", DEFAULT_LANGUAGE)
        own = content is self.config.content
        recording = self.speech.recordings.get(utterance.id) if own else None
        return Job(utterance.words, self.speech.voice(language), recording)

    # -- the loop's calls -------------------------------------------------------------

    def show(self, view: View | None, now: float, content: Content | None = None) -> None:
        """The frame on screen now shows ``view`` (None: nothing is shown), drawn from
        ``content`` (None: the configuration's; a session in another language passes its
        own, one of ``others`` in :meth:`use`)."""
        key = None if view is None else screen_key(view)
        if key == self._key:
            return
        starting = self._key is not None and self._key[0] is Phase.IDLE
        cue, self._cue = self._cue, None
        self._key = key
        self._queue = []
        if view is None or not self.speech.enabled:
            self.player.stop()
            return
        if starting and view.phase is Phase.SAFETY:
            self.volume = self.speech.volume_percent / 100  # every session starts at it
        self._prepare()
        content = content or self.config.content
        utterances = spoken(view, content, content.steps(), self.beeps())
        self._queue = [self._job(u, content) for u in utterances]
        self._next_at = now
        if cue is not None and cue.until is not None and self._queue[:1] == [cue.job]:
            # The hold ended: its "Time is up", handed over ahead, plays on; what follows
            # it on this screen starts when it ends.
            self._queue.pop(0)
            self._next_at = cue.until
        else:
            self.player.stop()
        if view.phase is Phase.HOLD and view.ends is not None:
            self._cue = _Cue(view.ends, self._job(hold_done(content), content))
        self._start(now)

    def _start(self, now: float) -> None:
        """Play the next utterance if its time has come and its sound is ready."""
        while self._queue and now >= self._next_at:
            job = self._queue[0]
            path = self.prerender.sound(job)
            if path is None:
                if self.prerender.failed(job):
                    self._queue.pop(0)
                    continue
                return  # played when ready (the thread wakes the loop), if still on screen
            self._queue.pop(0)
            if not self._open(now):
                self._queue = []
                return
            log.debug(
                "Saying %r (%s) at %.3f s (monotonic), %.0f ms late",
                job.words[:40],
                path.name,
                now,
                (now - self._next_at) * 1000,
            )
            try:
                length = self.player.play(path, self.volume)
            except AudioError as err:
                log.warning("The sound device failed (%s): the kiosk runs silent for now", err)
                self._retry_at = now + RETRY_SECONDS
                self._queue = []
                return
            self._next_at = now + length
            self._quiet_at = self._next_at + CLOSE_AFTER

    def _open(self, now: float) -> bool:
        if self.player.is_open:
            return True
        if now < self._retry_at:
            return False
        if self.player.open():
            return True
        self._retry_at = now + RETRY_SECONDS
        return False

    # -- a chore of the loop ----------------------------------------------------------

    def start(self, now: float) -> None:
        self._quiet_at = math.inf

    def due(self, app: App | None = None) -> float:
        """The next utterance's start when its sound is ready, the hold's end handed over
        ahead, closing an idle device: the soonest."""
        wakes = [self._cue_at()]
        if self._queue:
            job = self._queue[0]
            if self.prerender.sound(job) is not None or self.prerender.failed(job):
                wakes.append(self._next_at)
        if self.player.is_open and not self._cue_pending:
            wakes.append(self._quiet_at)
        return min(wakes)

    def run(self, app: App | None, now: float) -> None:
        if self._queue:
            self._start(now)
        if now >= self._cue_at():
            self._hand_over_cue(now)
        quiet = not self._queue and not self._cue_pending
        if self.player.is_open and now >= self._quiet_at and quiet:
            self.player.close()
            self._quiet_at = math.inf

    # -- the hold's end, on the sound card's clock -------------------------------------

    def _cue_time(self) -> float:
        """When the hold's "Time is up" is to be handed over (infinity: never): once the
        hold's own words have ended, :data:`CUE_LEAD` before the end. Words that run past
        the end are cut by the next screen, which says it then, as any screen."""
        cue = self._cue
        if cue is None or cue.until is not None:
            return math.inf
        at = max(cue.ends - CUE_LEAD, self._next_at)
        return at if at < cue.ends else math.inf

    @property
    def _cue_pending(self) -> bool:
        """A hold's end is still to be handed over: the device stays open for it (the
        session is running, and opening a device takes time)."""
        return self._cue_time() < math.inf

    def _cue_at(self) -> float:
        """:meth:`_cue_time`, once nothing else is to be said first and the sound is ready
        (the thread wakes the loop when it is)."""
        cue = self._cue
        if cue is None or self._queue or self.prerender.sound(cue.job) is None:
            return math.inf
        return self._cue_time()

    def _hand_over_cue(self, now: float) -> None:
        cue = self._cue
        path = None if cue is None else self.prerender.sound(cue.job)
        if cue is None or path is None or not self._open(now):
            self._cue = None  # the next screen says it, if it can
            return
        ahead = max(0.0, cue.ends - now)
        log.debug(
            "'Time is up' (%s) handed to the sound device %.0f ms ahead of the hold's end at "
            "%.3f s (monotonic)",
            path.name,
            ahead * 1000,
            cue.ends,
        )
        try:
            length = self.player.play(path, self.volume, after=ahead)
        except AudioError as err:
            log.warning("The sound device failed (%s): the kiosk runs silent for now", err)
            self._retry_at = now + RETRY_SECONDS
            self._cue = None
            return
        cue.until = self._next_at = now + length
        self._quiet_at = cue.until + CLOSE_AFTER

    def close(self) -> None:
        self.prerender.close()
        self.player.close()


class NoSpeech:
    """Stands in for a :class:`Speaker` where the kiosk has none (tests, ``screenshots``)."""

    def show(self, view: View | None, now: float, content: Content | None = None) -> None:
        pass

    def use(self, config: Config, others: tuple[Content, ...] = ()) -> None:
        pass

    def close(self) -> None:
        pass
