"""Keys made by replicas that start together on one key folder."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from hub.gateway.auth.keys import load_key as load_signing_key
from hub.keyfiles import create_secret_file, load_key

T = TypeVar("T")


def _together(work: int, make: Callable[[], T]) -> list[T]:
    results: list[T] = []
    lock = threading.Lock()
    start = threading.Barrier(work)

    def one() -> None:
        start.wait()
        got = make()
        with lock:
            results.append(got)

    threads = [threading.Thread(target=one) for _ in range(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_replicas_making_one_key_at_once_all_get_the_same_whole_key(
    tmp_path: Path, attempt: int
) -> None:
    """Before keys were linked in whole, a replica could read the file between its
    creation and its write and fail on an empty key."""
    path = tmp_path / "cursor.key"
    keys = _together(12, lambda: load_key(path, create=True, what="key", advice="-"))
    assert len(keys) == 12 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["cursor.key"], "no drafts are left"
    assert path.stat().st_mode & 0o777 == 0o600


def test_replicas_making_the_signing_key_at_once_share_one(tmp_path: Path) -> None:
    """Each replica used to write its own over the others' (tokens of one then failed
    on the other)."""
    kids = _together(4, lambda: load_signing_key(tmp_path, create=True).kid)
    assert len(set(kids)) == 1


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "k"
    create_secret_file(path, b"first")
    with pytest.raises(FileExistsError):
        create_secret_file(path, b"second")
    assert path.read_bytes() == b"first"
