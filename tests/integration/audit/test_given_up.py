"""A request that stops waiting for its audit row is refused, and its row is then never
written: the log must not say that a refused request was served. On both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hub.errors import AuditUnavailable
from tests.utils.audit import audit_writer, entry

pytestmark = pytest.mark.postgres


def _request_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT request_id FROM audit_log ORDER BY seq"))
        return [row.request_id for row in rows]


def test_a_row_given_up_on_is_left_out_and_the_chain_has_no_gap(
    migrated_engine: Engine, tmp_path: Path
) -> None:
    with audit_writer(migrated_engine, tmp_path / "keys", write_timeout_s=0.3) as (writer, _):
        assert writer.record(entry(0)) == 0
        # The writer is held between taking its batch and writing it (its own batch lock:
        # what a slow database does to it), for longer than the request will wait.
        with writer._lock, pytest.raises(AuditUnavailable, match="did not answer in time"):
            writer.record(entry(1, request_id="gave-up"))
        assert writer.record(entry(2)) == 1, "the next row takes the next seq: no gap"
    assert _request_ids(migrated_engine) == ["r0", "r2"]
