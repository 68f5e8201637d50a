"""One small least-recently-used cache for everything the screen keeps: fonts, layouts,
decoded images and fitted drawings.

Each cache is bounded, so a kiosk that meets many screen sizes or content reloads over the
years cannot grow without limit. ``functools.lru_cache`` does not fit: these caches belong to
one renderer (and its screen size), are cleared with it, and report their size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LRU(Generic[Value]):
    """A mapping that forgets its least recently used entries beyond ``limit``. Example::

    fonts = LRU(48)
    font = fonts.get_or((24, True), lambda: pygame.font.Font(path, 24))
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get_or(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value for ``key``, made with ``make()`` (and kept) when it is not here.

        Safe from two threads (the renderer lays screens out on a second one): ``make()``
        runs outside the lock, so a slow one holds up nobody; should both threads make the
        same key, the first value kept wins."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        return self.put(key, value)

    def put(self, key: Hashable, value: Value) -> Value:
        """Keep ``value`` for ``key`` unless one is kept already; returns the kept one."""
        with self._lock:
            kept = self._entries.setdefault(key, value)
            self._entries.move_to_end(key)
            if len(self._entries) > self.limit:
                self._entries.popitem(last=False)
            return kept

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` (nothing happens when it is not here)."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
