from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectors.health_capacity import HospitalCapacityConnector
from hub.config import PROJECT_ROOT
from hub.connect import RecordRejected, SourceRecord, mapped_events
from hub.connect.testing import run_in_memory

SAMPLE = PROJECT_ROOT / "connectors" / "samples" / "hospital-capacity.csv"
GB18030_EXPORT = PROJECT_ROOT / "tests" / "data" / "health" / "capacity-gb18030.csv"

HEADER = (
    "hospital_id,hospital_name,reported_at,district_code,beds_total,beds_available,"
    "icu_beds_total,icu_beds_available,emergency_department_status,ventilators_total\n"
)
GUANGMING = "H1,光明区中心医院,2015-12-20 12:30,440311,1200,86,40,6,BUSY,52\n"
BAOAN = "H2,宝安区中心医院,2015-12-20 12:30,440306,1650,142,60,11,NORMAL,70\n"


def _drop(path: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes((header + "".join(rows)).encode(encoding))
    return path


def test_every_row_of_the_sample_validates_but_the_deliberately_bad_one() -> None:
    connector = HospitalCapacityConnector(SAMPLE)
    records = list(connector.read(None))
    bad = [r for r in records if r.ref == "hospital-capacity.csv:7"]
    events = mapped_events(connector, [r for r in records if r not in bad])
    assert len(events) == 5
    first = events[0]
    assert first["beds_total"] == 1200  # written "1,200"
    assert first["envelope"]["area"]["district_code"] == "440311"
    assert "classification" not in first["envelope"]
    with pytest.raises(RecordRejected) as caught:
        connector.map(bad[0])
    assert caught.value.path == "emergency_department_status"


def test_a_gb18030_export_with_chinese_headers_is_read_without_being_told() -> None:
    events = mapped_events(HospitalCapacityConnector(GB18030_EXPORT))
    names = [e["hospital_name"] for e in events]
    assert names == ["光明区中心医院", "光明区妇幼保健院", "光明区骨科医院", "宝安区中心医院"]
    orthopaedic = events[2]
    assert orthopaedic["emergency_wait_minutes"] is None
    assert orthopaedic["ventilators_total"] is None  # written "-"
    assert events[0]["envelope"]["occurred_at"].isoformat() == "2015-12-20T03:55:00+00:00"


def test_a_record_of_a_gb18030_export_is_its_header_and_row_as_utf8() -> None:
    record = next(iter(HospitalCapacityConnector(GB18030_EXPORT).read(None)))
    text = record.raw.decode("utf-8")
    assert text.startswith("序号,医疗机构编号,医院名称")
    assert text.splitlines()[1].startswith("1,H440311001,光明区中心医院")


def test_a_byte_order_mark_does_not_hide_the_first_column(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, encoding="utf-8-sig")
    assert [e["hospital_id"] for e in mapped_events(HospitalCapacityConnector(path))] == ["H1"]


def test_a_utf8_export_with_one_broken_byte_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    broken = BAOAN.replace("宝安区", "宝安\udcff区").encode("utf-8", "surrogateescape")
    path.write_bytes((HEADER + GUANGMING).encode() + broken)
    connector = HospitalCapacityConnector(path)
    good, bad = connector.read(None)
    assert connector.map(good)["hospital_name"] == "光明区中心医院"
    with pytest.raises(RecordRejected) as caught:
        connector.map(bad)
    assert caught.value.path == "hospital_name"
    assert "encoding" in caught.value.reason


def test_an_explicit_encoding_is_used(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, encoding="gbk")
    (event,) = mapped_events(HospitalCapacityConnector(path, encoding="gbk"))
    assert event["hospital_name"] == "光明区中心医院"


def test_an_unknown_encoding_is_refused_when_the_connector_is_made(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown encoding 'gbk2'"):
        HospitalCapacityConnector(tmp_path / "c.csv", encoding="gbk2")


def test_a_missing_column_rejects_the_file_once_naming_the_column(tmp_path: Path) -> None:
    header = HEADER.replace("beds_available,", "")
    path = _drop(tmp_path / "c.csv", GUANGMING.replace("86,", ""), header=header)
    connector = HospitalCapacityConnector(path)
    (record,) = connector.read(None)
    assert record.ref == "c.csv:1"
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == "beds_available"
    assert "空余床位" in caught.value.reason  # says what else the column may be called
    assert list(HospitalCapacityConnector(path).read(record.position)) == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1,200", 1200), ("1，200", 1200), (" 86 ", 86), ("86.0", 86), ("0", 0)],
)
def test_counts_may_carry_thousands_separators(tmp_path: Path, written: str, expected: int) -> None:
    row = GUANGMING.replace(",86,", f',"{written}",')
    (event,) = mapped_events(HospitalCapacityConnector(_drop(tmp_path / "c.csv", row)))
    assert event["beds_available"] == expected


def test_an_optional_count_may_be_blank(tmp_path: Path) -> None:
    row = GUANGMING.replace(",52\n", ",\n")
    (event,) = mapped_events(HospitalCapacityConnector(_drop(tmp_path / "c.csv", row)))
    assert event["ventilators_total"] is None


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (",86,", ",,", "beds_available"),
        (",86,", ',"8,6",', "beds_available"),
        (",86,", ",-3,", "beds_available"),
        (",40,", ",forty,", "icu_beds_total"),
        (",52\n", ",many\n", "ventilators_total"),
        ("BUSY", "满员", "emergency_department_status"),
        ("2015-12-20 12:30", "yesterday", "reported_at"),
        ("440311", "4403", "district_code"),
        ("H1,", ",", "hospital_id"),
        ("光明区中心医院", "", "hospital_name"),
        ("\n", ",extra\n", "<row>"),
    ],
)
def test_a_bad_row_is_rejected_naming_its_column(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    connector = HospitalCapacityConnector(_drop(tmp_path / "c.csv", GUANGMING.replace(old, new)))
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == field


def test_after_a_restart_only_changed_rows_are_taken(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, BAOAN)
    first = list(HospitalCapacityConnector(path).read(None))
    assert [r.ref for r in first] == ["c.csv:2", "c.csv:3"]

    restarted = HospitalCapacityConnector(path)
    assert list(restarted.read(first[-1].position)) == []

    # The next drop: Guangming re-confirms its figures later; Bao'an's beds change.
    _drop(path, GUANGMING.replace("12:30", "12:45"), BAOAN.replace(",142,", ",120,"))
    (changed,) = restarted.read(first[-1].position)
    assert changed.ref == "c.csv:3"
    assert restarted.map(changed)["beds_available"] == 120
    assert list(restarted.read(changed.position)) == []


def test_each_record_carries_the_checkpoint_as_it_stands_once_taken(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, BAOAN)
    first, _ = HospitalCapacityConnector(path).read(None)
    # A crash after the first record: the second is taken again, the first is not.
    (again,) = HospitalCapacityConnector(path).read(first.position)
    assert again.ref == "c.csv:3"


def test_a_row_that_stays_bad_is_dead_lettered_once(tmp_path: Path) -> None:
    bad = BAOAN.replace("NORMAL", "满员")
    path = _drop(tmp_path / "c.csv", GUANGMING, bad)
    connector = HospitalCapacityConnector(path)
    records = list(connector.read(None))
    assert len(records) == 2
    assert list(connector.read(records[-1].position)) == []
    _drop(path, GUANGMING, BAOAN)  # put right
    (fixed,) = connector.read(records[-1].position)
    assert connector.map(fixed)["emergency_department_status"] == "NORMAL"


def test_a_report_read_again_from_a_later_drop_keeps_its_event_id(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, BAOAN)
    before = {
        e["hospital_id"]: e["envelope"]["event_id"]
        for e in mapped_events(HospitalCapacityConnector(path))
    }
    _drop(path, BAOAN, GUANGMING)  # the same reports, rows in another order
    after = {
        e["hospital_id"]: e["envelope"]["event_id"]
        for e in mapped_events(HospitalCapacityConnector(path))
    }
    assert before == after


def test_a_hospital_that_leaves_the_export_and_returns_is_news(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, BAOAN)
    connector = HospitalCapacityConnector(path)
    position = list(connector.read(None))[-1].position
    _drop(path, GUANGMING, BAOAN.replace(",142,", ",141,"))
    position = next(iter(connector.read(position))).position
    _drop(path, BAOAN.replace(",142,", ",141,"))
    assert list(connector.read(position)) == []  # nothing new, and nothing committed
    _drop(path, BAOAN.replace(",142,", ",140,"))
    (record,) = connector.read(position)
    assert set(record.position["digests"]) == {"H2"}  # Guangming's digest is dropped
    _drop(path, GUANGMING, BAOAN.replace(",142,", ",140,"))
    assert [r.ref for r in connector.read(record.position)] == ["c.csv:2"]


def test_two_rows_for_one_hospital_are_each_taken_once(tmp_path: Path) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING, GUANGMING.replace(",86,", ",80,"))
    connector = HospitalCapacityConnector(path)
    records = list(connector.read(None))
    assert len(records) == 2
    assert list(connector.read(records[-1].position)) == []


def test_a_folder_of_timestamped_drops_is_read_at_its_latest(tmp_path: Path) -> None:
    _drop(tmp_path / "capacity-20151220T1200.csv", GUANGMING)
    _drop(tmp_path / "capacity-20151220T1230.csv", GUANGMING.replace(",86,", ",60,"))
    (event,) = mapped_events(HospitalCapacityConnector(tmp_path))
    assert event["beds_available"] == 60


def test_a_folder_without_drops_yields_nothing(tmp_path: Path) -> None:
    assert list(HospitalCapacityConnector(tmp_path).read(None)) == []


def test_a_file_being_written_is_left_for_the_next_poll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _drop(tmp_path / "c.csv", GUANGMING)
    real = Path.read_bytes

    def read_while_written(self: Path) -> bytes:
        data = real(self)
        with self.open("ab") as more:
            more.write(BAOAN.encode())
        os.utime(self, ns=(1, 1))
        return data

    connector = HospitalCapacityConnector(path)
    monkeypatch.setattr(Path, "read_bytes", read_while_written)
    assert list(connector.read(None)) == []
    monkeypatch.setattr(Path, "read_bytes", real)
    assert len(list(connector.read(None))) == 2


def test_a_missing_export_is_an_error_of_the_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(HospitalCapacityConnector(tmp_path / "none.csv").read(None))


def test_a_record_that_is_not_one_row_is_refused() -> None:
    connector = HospitalCapacityConnector("unused.csv")
    two_rows = (HEADER + GUANGMING + BAOAN).encode()
    with pytest.raises(ValueError, match="one row"):
        connector.map(SourceRecord("x.csv:2", two_rows))


def test_a_second_run_through_the_outbox_takes_nothing(tmp_path: Path) -> None:
    first = run_in_memory(HospitalCapacityConnector(SAMPLE), tmp_path)
    assert (len(first.events), len(first.dead_letters)) == (5, 1)
    assert first.dead_letters[0].value.decode().splitlines()[1].startswith("H440305001,")
    again = run_in_memory(HospitalCapacityConnector(SAMPLE), tmp_path)
    assert (again.report.read, again.events, again.dead_letters) == (0, [], [])
