"""The writer's queue: rows go in one at a time and come out a whole batch at a time.

A ``queue.Queue`` takes a lock per item on the way out as well as in; here the writer
takes everything waiting (up to a batch) in one step, and a request wakes it only when
the inbox was empty, so the cost per row stays one append under a lock.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    def __init__(self, capacity: int) -> None:
        self._items: list[T] = []
        self._capacity = capacity
        self._ready = threading.Condition(threading.Lock())
        self._closed = False

    def put(self, item: T) -> bool:
        """Add ``item``; False if the inbox is full or closed (the caller refuses)."""
        with self._ready:
            if self._closed or len(self._items) >= self._capacity:
                return False
            self._items.append(item)
            if len(self._items) == 1:
                self._ready.notify()
            return True

    def take(self, limit: int, timeout: float | None) -> list[T] | None:
        """Up to ``limit`` items, oldest first, waiting up to ``timeout`` s for the first;
        an empty list when the time ran out, None once closed and drained."""
        with self._ready:
            if not self._items and not self._closed:
                self._ready.wait(timeout)
            if not self._items:
                return None if self._closed else []
            batch = self._items[:limit]
            del self._items[:limit]
            return batch

    def close(self) -> None:
        """Refuse new items; what is in still comes out."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
