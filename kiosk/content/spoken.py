"""What the kiosk says on each screen: the words of a view, as utterances.

A pure function of the session's :class:`~kiosk.core.session.View` and the
:class:`~kiosk.content.model.Content` the screen is drawn from, so a session in another
language speaks that language's content. Each utterance has a text id (what a staff
recording replaces, ``speech.audio`` in the staff file) and its words::

    safety            the safety page
    intro.UB60        a point's name, its steps, how long to hold, its caution
    hold.UB60         a hold starting: "Hold for 30 seconds." and the reminder
    hold.UB60.1       the same on the first (.1) or second (.2) side of a point done on both
    hold_done         the end of a hold ("Time is up"), with the buzzer
    other_side        "Now the other side" and how to find it
    next.UB40         the next point's name, after a hold
    summary           the summary and the side effects to watch for
    warning           "Are you still there?"

The idle screen says nothing: a waiting room would hear it every few seconds. A screen
reached by a hold's end (the next point, the other side, the summary) starts with
``hold_done``, so the end of the hold is spoken at the moment it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.content.model import Content, Page
from kiosk.core.session import Phase, Step, View


@dataclass(frozen=True)
class Utterance:
    """Words to say, and the id of the text they are (for a staff recording)."""

    id: str
    words: str


#: The text ids that do not name a point.
FIXED_IDS = ("safety", "hold_done", "other_side", "summary", "warning")


def spoken(
    view: View, content: Content, steps: tuple[Step, ...], beeps: bool
) -> tuple[Utterance, ...]:
    """What to say when ``view``'s screen appears (nothing for the idle screen).

    :param steps: the session's holds (``Session.steps``).
    :param beeps: a buzzer is fitted (the hold says "until you hear the beep").
    """
    phase = view.phase
    if phase is Phase.SAFETY:
        return (Utterance("safety", _page(content.safety, content.text("press_to_continue"))),)
    if phase is Phase.INTRO:
        return (_intro(view.point, content),)
    if phase is Phase.HOLD:
        return (_hold(view, content, steps, beeps),)
    if phase is Phase.DONE:
        return (hold_done(content), _after(view, content, steps))
    if phase is Phase.SUMMARY:
        return (hold_done(content), _summary(content))
    if phase is Phase.WARNING:
        words = _join(content.text(k) for k in ("warning_title", "warning_body", "warning_press"))
        return (Utterance("warning", words),)
    return ()


def screen_key(view: View) -> tuple[object, ...]:
    """What makes a screen a new one for speech: a new phase, step or point (not the
    countdown, nor the band shown while the button is held)."""
    return (view.phase, view.step, view.point if view.phase is not Phase.IDLE else None)


def text_ids(content: Content) -> tuple[str, ...]:
    """Every text id a staff recording may replace, for this content."""
    ids = list(FIXED_IDS)
    for point in content.points:
        ids += [f"intro.{point.id}", f"next.{point.id}"]
        if point.sides == 2:
            ids += [f"hold.{point.id}.1", f"hold.{point.id}.2"]
        else:
            ids.append(f"hold.{point.id}")
    return tuple(ids)


def every_utterance(
    content: Content, steps: tuple[Step, ...], beeps: bool
) -> tuple[Utterance, ...]:
    """Everything a session over ``content`` can say, each once: what to render ahead."""
    views = [View(Phase.SAFETY), View(Phase.SUMMARY), View(Phase.WARNING)]
    for index, step in enumerate(steps):
        views += [
            View(Phase.INTRO, point=step.point, step=index),
            View(Phase.HOLD, point=step.point, step=index),
        ]
        if index + 1 < len(steps):
            views.append(View(Phase.DONE, point=step.point, step=index))
    found: dict[str, Utterance] = {}
    for view in views:
        for utterance in spoken(view, content, steps, beeps):
            found.setdefault(utterance.id, utterance)
    return tuple(found.values())


def _intro(index: int, content: Content) -> Utterance:
    point = content.points[index]
    number = content.text("point_of", number=index + 1, total=len(content.points))
    key = "hold_for_each_side" if point.sides == 2 else "hold_for"
    parts = [
        number,
        point.name,
        *point.find,
        content.text(key, duration=content.duration(point.hold_seconds)),
    ]
    if point.caution:
        parts.append(f"{content.text('caution_label')}: {point.caution}")
    parts.append(content.text("press_to_start_hold"))
    return Utterance(f"intro.{point.id}", _join(parts))


def _hold(view: View, content: Content, steps: tuple[Step, ...], beeps: bool) -> Utterance:
    point = content.points[view.point]
    step = steps[view.step] if view.step is not None else None
    parts, text_id = [], f"hold.{point.id}"
    if step is not None and step.sides == 2:
        parts.append(content.text(f"side_{step.side + 1}"))
        text_id += f".{step.side + 1}"
    parts.append(content.text("hold_for", duration=content.duration(point.hold_seconds)))
    parts.append(point.reminder)
    parts.append(content.text("keep_pressing" if beeps else "keep_pressing_no_buzzer"))
    return Utterance(text_id, _join(parts))


def hold_done(content: Content) -> Utterance:
    """What is said the moment a hold ends ("Time is up"), first on the screen after it."""
    return Utterance("hold_done", content.text("hold_done"))


def _after(view: View, content: Content, steps: tuple[Step, ...]) -> Utterance:
    """The other side, or the next point (what the DONE screen says under "Time is up")."""
    index = view.step or 0
    following = steps[index + 1] if index + 1 < len(steps) else None
    if following is not None and following.point == view.point:
        return Utterance(
            "other_side", _join([content.text("other_side"), content.text("other_side_how")])
        )
    point = content.points[following.point if following is not None else view.point]
    words = _join([content.text("next_point", name=point.name), content.text("press_to_continue")])
    return Utterance(f"next.{point.id}", words)


def _summary(content: Content) -> Utterance:
    first = _page(content.summary)
    second = _page(content.side_effects, content.text("press_to_finish"))
    return Utterance("summary", _join([first, second]))


def _page(page: Page, *after: str) -> str:
    return _join([page.title, *page.lines, *after])


def _join(parts) -> str:  # type: ignore[no-untyped-def]
    """Sentences joined so a voice pauses between them (a full stop where one lacks it)."""
    out = []
    for part in parts:
        part = " ".join(str(part).split())
        if part:
            out.append(part if part[-1] in ".!?:;" else part + ".")
    return " ".join(out)
