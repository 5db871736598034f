"""The folder reader: file-name order, a checkpoint that lets a restart skip what it
took, and a size limit that reads no more than it must."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.meteorology_cap import CapWarningConnector
from connectors.meteorology_cap.parser import MAX_ALERT_BYTES, CapError
from hub.connect.testing import run_in_memory
from tests.unit.connectors.cap_samples import MADE, made

GOOD = (
    "cap11-gale-minimal.xml",
    "shenzhen-rainstorm-cancel.xml",
    "shenzhen-rainstorm-orange-zh-en.xml",
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = tmp_path / "drop"
    source.mkdir()
    for name in GOOD:
        shutil.copy(MADE / name, source / name)
    (source / "notes.txt").write_text("not an alert")
    return source


def test_files_are_read_in_name_order_each_checkpointed_by_its_name(folder: Path) -> None:
    records = list(CapWarningConnector(folder).read(None))
    assert [r.ref for r in records] == list(GOOD)
    assert [r.position for r in records] == list(GOOD)
    assert records[0].raw == made(GOOD[0])


def test_a_restart_reads_only_the_files_after_the_checkpoint(folder: Path) -> None:
    later = CapWarningConnector(folder).read("shenzhen-rainstorm-cancel.xml")
    assert [r.ref for r in later] == ["shenzhen-rainstorm-orange-zh-en.xml"]
    assert list(CapWarningConnector(folder).read(GOOD[-1])) == []


def test_the_folder_may_be_given_as_text(folder: Path) -> None:
    assert [r.ref for r in CapWarningConnector(str(folder)).read(None)] == list(GOOD)


def test_a_checkpoint_that_is_not_a_file_name_is_refused(folder: Path) -> None:
    with pytest.raises(ValueError, match="should be a file name"):
        list(CapWarningConnector(folder).read({"taken": []}))


def test_an_oversized_file_is_read_only_past_the_limit_and_refused_by_the_parser(
    folder: Path,
) -> None:
    (folder / "zz-huge.xml").write_bytes(b"<alert>" + b" " * (3 * MAX_ALERT_BYTES))
    connector = CapWarningConnector(folder)
    huge = next(r for r in connector.read(None) if r.ref == "zz-huge.xml")
    assert len(huge.raw) == MAX_ALERT_BYTES + 1
    with pytest.raises(CapError, match="^document: more than 1,048,576 bytes"):
        connector.map(huge)


def test_the_size_limit_is_a_parameter(folder: Path) -> None:
    connector = CapWarningConnector(folder, max_bytes=600)
    records = {r.ref: r for r in connector.read(None)}
    connector.map(records["cap11-gale-minimal.xml"])  # 468 bytes
    with pytest.raises(CapError, match="more than 600 bytes"):
        connector.map(records["shenzhen-rainstorm-orange-zh-en.xml"])


def test_a_second_run_through_the_sdk_publishes_nothing_again(folder: Path, tmp_path: Path) -> None:
    first = run_in_memory(CapWarningConnector(folder), tmp_path)
    assert first.report.published == 3
    shutil.copy(MADE / "broken.xml", folder / "zz-broken.xml")
    again = run_in_memory(CapWarningConnector(folder), tmp_path, bus=first.bus)
    assert again.report.published == 0
    assert [r.ref for r in again.report.rejected] == ["zz-broken.xml"], "only the new file"
