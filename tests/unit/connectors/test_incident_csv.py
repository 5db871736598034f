from __future__ import annotations

from pathlib import Path

import pytest

from connectors.emergency_reports import IncidentReportConnector
from hub.connect import RecordRejected, SourceRecord

HEADER = "report_id,occurred_at,title,description,status,reported_by,category,lat,lon,deaths\n"


def _map(tmp_path: Path, row: str) -> dict:
    path = tmp_path / "reports.csv"
    path.write_text(HEADER + row + "\n")
    connector = IncidentReportConnector(path)
    (record,) = list(connector.read(None))
    assert record.ref == "reports.csv:2"
    return dict(connector.map(record))


def test_a_row_becomes_an_incident_report(tmp_path: Path) -> None:
    event = _map(
        tmp_path,
        "R1,2015-12-20T11:40:00+08:00,T,D,REPORTED,Duty office,ACCIDENT_DISASTER,22.77,113.93,2",
    )
    assert event["envelope"]["area"]["point"] == {"lat": 22.77, "lon": 113.93}
    assert event["casualties"] == {"deaths": 2, "injured": 0, "missing": 0, "trapped": 0}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",2015-12-20T11:40:00+08:00,T,D,REPORTED,Duty,ACCIDENT_DISASTER,,,", "report_id"),
        ("R1,2015-12-20T11:40:00,T,D,REPORTED,Duty,ACCIDENT_DISASTER,,,", "occurred_at"),
        ("R1,2015-12-20T11:40:00+08:00,T,D,REPORTED,Duty,ACCIDENT_DISASTER,north,,", "lat/lon"),
        ("R1,2015-12-20T11:40:00+08:00,T,D,REPORTED,Duty,ACCIDENT_DISASTER,,,many", "deaths"),
    ],
)
def test_a_bad_row_is_rejected_naming_the_column(tmp_path: Path, row: str, field: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        _map(tmp_path, row)
    assert caught.value.path == field


def test_records_carry_their_file_and_line() -> None:
    record = SourceRecord("f.csv:9", {"a": "b"})
    assert record.ref == "f.csv:9"
