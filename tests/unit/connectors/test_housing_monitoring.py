from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from connectors.housing_monitoring import SlopeMonitoringConnector, SlopeReading
from hub.config import PROJECT_ROOT
from hub.connect import RecordRejected, SourceRecord, mapped_events
from hub.connect.testing import run_in_memory

SAMPLES = PROJECT_ROOT / "connectors" / "samples"
READINGS = SAMPLES / "slope-readings.csv"
TEST_THRESHOLDS = PROJECT_ROOT / "tests" / "data" / "housing" / "thresholds.yaml"

COLUMNS = (
    "observed_at",
    "site_id",
    "site_name",
    "site_kind",
    "district_code",
    "point_id",
    "lat",
    "lon",
    "sensor_id",
    "sensor_kind",
    "surface_displacement_mm",
    "displacement_rate_mm_per_day",
    "crack_width_mm",
    "groundwater_depth_m",
    "rainfall_mm",
    "rainfall_period_minutes",
)
SITE = {
    "site_id": "T-SITE",
    "site_name": "测试边坡",
    "site_kind": "SLOPE",
    "district_code": "440311",
    "lat": "22.77",
    "lon": "113.93",
}


def _line(hour: int = 8, **values: Any) -> str:
    """A reading at point P-1 (GNSS-1) unless told, at ``hour`` on 18 December 2015."""
    cells = {
        **SITE,
        "point_id": "P-1",
        "sensor_id": "GNSS-1",
        "sensor_kind": "GNSS",
        "observed_at": f"2015-12-18T{hour:02d}:00:00+08:00",
        **{k: str(v) for k, v in values.items()},
    }
    return ",".join(cells.get(c, "") for c in COLUMNS) + "\n"


def _log(path: Path, *lines: str, header: str = ",".join(COLUMNS) + "\n") -> Path:
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def _connector(path: Path, thresholds: Path | None = TEST_THRESHOLDS) -> SlopeMonitoringConnector:
    return SlopeMonitoringConnector(path, thresholds=thresholds)


def _split(events: list[dict]) -> tuple[list[dict], list[dict]]:
    return [e for e in events if "point_id" in e], [e for e in events if "inspection_id" in e]


def _rises(events: list[dict]) -> list[tuple[str, str]]:
    """(point, level) of each hazard, from the reading that raised it (just before it)."""
    return [
        (reading["point_id"], reading["alert_level"])
        for reading, hazard in pairwise(events)
        if "inspection_id" in hazard
    ]


def test_the_guangming_sample_validates_and_rises_to_red() -> None:
    connector = SlopeMonitoringConnector(READINGS)  # its thresholds are beside it
    events = mapped_events(connector)
    readings, hazards = _split(events)
    assert len(readings) == 84
    assert readings[0]["envelope"]["area"]["district_code"] == "440311"
    assert "classification" not in readings[0]["envelope"]
    rises = _rises(events)
    assert [level for point, level in rises if point == "JC-01"] == [
        "BLUE",
        "YELLOW",
        "ORANGE",
        "RED",
    ]
    crest = [h for h in hazards if "-JC-01-" in h["inspection_id"]]
    assert [h["stop_work_ordered"] for h in crest] == [False, False, False, True]
    assert [h["hazard_level"] for h in crest] == ["GENERAL", "GENERAL", "MAJOR", "MAJOR"]
    assert len(rises) == len(hazards) == 16
    assert {h["envelope"]["classification"]["category"] for h in hazards} == {"ACCIDENT_DISASTER"}
    last = next(r for r in reversed(readings) if r["point_id"] == "JC-01")
    assert last["alert_level"] == "RED"
    assert last["triggered_by"] == [
        "surface_displacement_mm",  # 48.4 mm: yellow at 40 for this landfill
        "settlement_mm",  # 30.4 mm: the default blue, 30
        "displacement_rate_mm_per_day",  # 61 mm/d: red
    ]


def test_without_a_thresholds_file_the_defaults_hold_and_the_piezometer_has_none(
    tmp_path: Path,
) -> None:
    alone = tmp_path / READINGS.name
    alone.write_bytes(READINGS.read_bytes())
    _, hazards = _split(mapped_events(SlopeMonitoringConnector(alone)))
    assert hazards
    assert not [h for h in hazards if "SY-01" in h["inspection_id"]]


@pytest.mark.parametrize("in_folder", [False, True])
def test_the_thresholds_beside_the_readings_are_taken_unless_told(
    tmp_path: Path, in_folder: bool
) -> None:
    source = tmp_path / "exports" if in_folder else tmp_path / "r.csv"
    readings = source / "readings-20151218.csv" if in_folder else source
    readings.parent.mkdir(exist_ok=True)
    _log(readings, _line(sensor_id="CM-1", crack_width_mm=1.5))
    plan = source / "thresholds.yaml" if in_folder else tmp_path / "r.thresholds.yaml"
    plan.write_text("defaults:\n  crack_width_mm: {red: 1}\n", encoding="utf-8")
    assert mapped_events(SlopeMonitoringConnector(source))[0]["alert_level"] == "RED"
    told = SlopeMonitoringConnector(source, thresholds=TEST_THRESHOLDS)
    assert mapped_events(told)[0]["alert_level"] is None


def test_the_level_is_the_worst_metric_and_triggered_by_lists_every_breach(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(displacement_rate_mm_per_day=3.5, crack_width_mm=13))
    (reading, hazard) = mapped_events(_connector(path))
    assert reading["alert_level"] == "ORANGE"
    assert reading["triggered_by"] == ["displacement_rate_mm_per_day", "crack_width_mm"]
    assert hazard["hazard_level"] == "MAJOR"
    assert [f["item"] for f in hazard["findings"]] == [
        "displacement rate (位移速率) at point P-1",
        "crack width (裂缝宽度) at point P-1",
    ]
    assert "3.5 mm/d" in hazard["findings"][0]["description"]
    assert "orange threshold of 3 mm/d" in hazard["findings"][0]["description"]


def test_a_reading_below_every_threshold_raises_nothing(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(displacement_rate_mm_per_day=0.5, crack_width_mm=1))
    (reading,) = mapped_events(_connector(path))
    assert reading["alert_level"] is None
    assert reading["triggered_by"] == []


def test_groundwater_alerts_as_the_water_table_rises_towards_the_surface(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(groundwater_depth_m=3.5))
    reading, hazard = mapped_events(_connector(path))
    assert reading["alert_level"] == "ORANGE"
    assert "at or below the orange threshold of 4 m" in hazard["findings"][0]["description"]


@pytest.mark.parametrize(("period", "level"), [(60, "YELLOW"), (1440, None)])
def test_rainfall_is_compared_only_over_its_thresholds_period(
    tmp_path: Path, period: int, level: str | None
) -> None:
    path = _log(tmp_path / "r.csv", _line(rainfall_mm=40, rainfall_period_minutes=period))
    reading = mapped_events(_connector(path))[0]
    assert reading["alert_level"] == level


def test_point_thresholds_replace_the_kinds_and_null_switches_a_metric_off(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "r.csv",
        _line(displacement_rate_mm_per_day=3.5),  # P-1: its own, orange at 3
        _line(point_id="P-3", displacement_rate_mm_per_day=3.5),  # SLOPE: yellow at 4
        _line(point_id="P-3", sensor_id="CM-3", crack_width_mm=7),  # file default: yellow at 6
        _line(point_id="P-2", sensor_id="CM-2", crack_width_mm=30),  # switched off at P-2
    )
    readings, _ = _split(mapped_events(_connector(path)))
    assert [r["alert_level"] for r in readings] == ["ORANGE", None, "YELLOW", None]


def _hazard_levels(connector: SlopeMonitoringConnector, position: Any = None) -> list[Any]:
    """For each record: the level it raised its point to, or None if it raised none."""
    found = []
    for record in connector.read(position):
        events = mapped_events(connector, [record])
        found.append(_rises(events)[0][1].lower() if len(events) > 1 else None)
    return found


def test_a_hazard_is_raised_when_a_point_rises_not_while_it_stays(tmp_path: Path) -> None:
    rates = [0.5, 2.5, 2.6, 3.2, 3.4, 2.2, 3.1, 0.4, 1.5]  # P-1: yellow 2, orange 3
    path = _log(
        tmp_path / "r.csv", *(_line(h, displacement_rate_mm_per_day=r) for h, r in enumerate(rates))
    )
    assert _hazard_levels(_connector(path)) == [
        None,
        "yellow",  # normal -> yellow
        None,  # stays yellow
        "orange",
        None,  # stays orange
        None,  # falls to yellow
        "orange",  # and rises again
        None,  # back to normal
        "blue",
    ]


def test_another_sensors_normal_reading_does_not_lower_the_point(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "r.csv",
        _line(8, displacement_rate_mm_per_day=3.5),
        _line(9, sensor_id="CM-1", crack_width_mm=1),
        _line(10, displacement_rate_mm_per_day=3.6),
    )
    assert _hazard_levels(_connector(path)) == ["orange", None, None]


def test_after_a_restart_the_levels_and_the_place_in_the_log_go_on(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(8, displacement_rate_mm_per_day=2.5))
    (first,) = _connector(path).read(None)
    assert first.position["levels"] == {"T-SITE/P-1": {"displacement_rate_mm_per_day": "YELLOW"}}
    with path.open("a", encoding="utf-8") as log:
        log.write(_line(9, displacement_rate_mm_per_day=2.7))
        log.write(_line(10, displacement_rate_mm_per_day=3.5))
    restarted = _connector(path)
    records = list(restarted.read(first.position))
    assert [r.ref for r in records] == ["r.csv:3", "r.csv:4"]
    assert _hazard_levels(restarted, first.position) == [None, "orange"]
    assert list(restarted.read(records[-1].position)) == []


def test_a_line_still_being_written_waits_for_its_newline(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(8), _line(9).rstrip("\n"))
    connector = _connector(path)
    (record,) = connector.read(None)
    with path.open("a", encoding="utf-8") as log:
        log.write("\n")
    assert [r.ref for r in connector.read(record.position)] == ["r.csv:3"]


def test_a_replaced_file_is_read_from_its_start(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(8), _line(9))
    *_, last = _connector(path).read(None)
    _log(path, _line(10), _line(11), _line(12))
    assert [r.ref for r in _connector(path).read(last.position)] == [
        "r.csv:2",
        "r.csv:3",
        "r.csv:4",
    ]


def test_a_reading_read_twice_is_the_same_event(tmp_path: Path) -> None:
    first = _log(tmp_path / "a.csv", _line(8, displacement_rate_mm_per_day=3.5))
    again = _log(tmp_path / "b.csv", _line(7), _line(8, displacement_rate_mm_per_day=3.5))
    ids = [e["envelope"]["event_id"] for e in mapped_events(_connector(first))]
    assert [e["envelope"]["event_id"] for e in mapped_events(_connector(again))][1:] == ids


def test_a_folder_of_daily_files_is_read_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    _log(folder / "readings-20151219.csv", _line(9))
    _log(folder / "readings-20151218.csv", _line(8), _line(9).rstrip("\n"))  # finished: taken
    connector = _connector(folder)
    records = list(connector.read(None))
    assert [r.ref for r in records] == [
        "readings-20151218.csv:2",
        "readings-20151218.csv:3",
        "readings-20151219.csv:2",
    ]
    with (folder / "readings-20151219.csv").open("a", encoding="utf-8") as log:
        log.write(_line(10))
    assert [r.ref for r in connector.read(records[-1].position)] == ["readings-20151219.csv:3"]


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"observed_at": "yesterday"}, "observed_at"),
        ({"crack_width_mm": "wide"}, "crack_width_mm"),
        ({"crack_width_mm": "nan"}, "crack_width_mm"),
        ({"site_kind": "dump"}, "site_kind"),
        ({"rainfall_mm": 12}, "rainfall_period_minutes"),
        ({"district_code": "44"}, "district_code"),
        ({"site_id": ""}, "site_id"),
        ({"lat": "north"}, "lat/lon"),
    ],
)
def test_a_bad_reading_is_rejected_naming_its_column(
    tmp_path: Path, values: dict[str, Any], column: str
) -> None:
    connector = _connector(_log(tmp_path / "r.csv", _line(**values)))
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == column


def test_a_header_without_a_required_column_rejects_each_reading_naming_it(tmp_path: Path) -> None:
    header = ",".join(c for c in COLUMNS if c != "sensor_id") + "\n"
    line = _line(displacement_rate_mm_per_day=3.5).replace(",GNSS-1,", ",")
    connector = _connector(_log(tmp_path / "r.csv", line, header=header))
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == "sensor_id"


def test_a_bad_reading_moves_the_place_in_the_log_but_not_the_levels(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "r.csv",
        _line(8, displacement_rate_mm_per_day=2.5),
        _line(9, displacement_rate_mm_per_day="fast"),
    )
    first, bad = _connector(path).read(None)
    assert bad.position["levels"] == first.position["levels"]
    assert bad.position["offset"] > first.position["offset"]


def test_a_record_made_elsewhere_raises_a_hazard_for_any_breach(tmp_path: Path) -> None:
    path = _log(tmp_path / "r.csv", _line(displacement_rate_mm_per_day=2.5))
    (record,) = _connector(path).read(None)
    assert isinstance(record, SlopeReading)
    plain = SourceRecord(record.ref, record.raw, record.position)
    assert len(mapped_events(_connector(path), [plain])) == 2
    raised = SlopeReading(record.ref, record.raw, record.position, point_level_before="YELLOW")
    assert len(mapped_events(_connector(path), [raised])) == 1


@pytest.mark.parametrize(
    ("rate", "hazard_level", "stop_work"),
    [(1.5, "GENERAL", False), (2.5, "GENERAL", False), (3.5, "MAJOR", False), (4.5, "MAJOR", True)],
)
def test_a_breach_maps_onto_a_site_hazard_inspection(
    tmp_path: Path, rate: float, hazard_level: str, stop_work: bool
) -> None:
    path = _log(tmp_path / "r.csv", _line(displacement_rate_mm_per_day=rate))
    _, hazard = mapped_events(_connector(path))
    assert (hazard["hazard_level"], hazard["stop_work_ordered"]) == (hazard_level, stop_work)
    assert hazard["inspection_id"] == "MON-T-SITE-P-1-20151218T000000Z"
    assert hazard["inspecting_unit"].startswith("Slope and landfill automated monitoring")
    assert hazard["inspector"] is None
    assert hazard["envelope"]["classification"]["category"] == "NATURAL_DISASTER"  # a slope
    assert hazard["envelope"]["sensitivity"] == "RESTRICTED"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("points:\n  T/P:\n    crack_mm: {red: 3}\n", "'crack_mm' is not one of"),
        ("kinds:\n  DUMP:\n    crack_width_mm: {red: 3}\n", "'DUMP' is not one of"),
        ("points:\n  P-1:\n    crack_width_mm: {red: 3}\n", "<site_id>/<point_id>"),
        ("defaults:\n  crack_width_mm: {blue: 5, yellow: 4}\n", "must rise"),
        ("defaults:\n  groundwater_depth_m: {blue: 2, red: 4}\n", "must fall"),
        ("defaults:\n  crack_width_mm: {red: wide}\n", "is not a number"),
        ("defaults:\n  crack_width_mm: {red: 3, period_minutes: 60}\n", "for rainfall only"),
        ("defaults:\n  crack_width_mm: {}\n", "at least one of"),
        ("levels: [1, 2]\n", "'levels' is not one of"),
        ("defaults: [\n", "not YAML or JSON"),
    ],
)
def test_a_bad_thresholds_file_is_refused_saying_where(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        SlopeMonitoringConnector(tmp_path / "r.csv", thresholds=path)


def test_a_json_thresholds_file_is_read_too(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text('{"defaults": {"crack_width_mm": {"red": 1}}}', encoding="utf-8")
    path = _log(tmp_path / "r.csv", _line(sensor_id="CM-1", crack_width_mm=1.5))
    reading, _ = mapped_events(SlopeMonitoringConnector(path, thresholds=thresholds))
    assert reading["alert_level"] == "RED"


def test_a_second_run_through_the_outbox_takes_nothing(tmp_path: Path) -> None:
    first = run_in_memory(SlopeMonitoringConnector(READINGS), tmp_path)
    assert (len(first.events), len(first.dead_letters)) == (84 + 16, 0)
    again = run_in_memory(SlopeMonitoringConnector(READINGS), tmp_path)
    assert (again.report.read, again.events, again.dead_letters) == (0, [], [])
