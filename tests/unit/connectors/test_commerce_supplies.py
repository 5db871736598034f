from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from connectors.commerce_supplies import SuppliesInventoryConnector
from hub.config import PROJECT_ROOT
from hub.connect import RecordRejected, mapped_events
from hub.connect.testing import run_in_memory

SAMPLE = PROJECT_ROOT / "connectors" / "samples" / "supplies-inventory.xlsx"

HEADER = ("仓库编号", "仓库名称", "物资编码", "物资名称", "物资类别", "单位", "数量", "盘点时间")
COUNTED = datetime(2015, 12, 19, 17, 0)
WATER = ("SZ-CK-01", "光明储备库", "10101", "瓶装饮用水", "饮用水", "箱", 4800, COUNTED)
TENTS = ("SZ-CK-01", "光明储备库", "20101", "单帐篷", "帐篷", "顶", 350, COUNTED)


def _sheet(path: Path, *lines: Sequence[Any], title: str | None = None) -> Path:
    """A workbook of one sheet holding ``lines`` as given: titles, blanks, headers, rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title is not None:
        sheet.title = title
    for line in lines:
        sheet.append(list(line))
    book.save(path)
    return path


def _book(path: Path, *rows: Sequence[Any], header: Sequence[Any] = HEADER) -> Path:
    return _sheet(path, header, *rows, title="库存")


def _replace(row: Sequence[Any], column: str, value: Any) -> tuple[Any, ...]:
    return tuple(value if name == column else cell for name, cell in zip(HEADER, row, strict=True))


def test_every_item_of_the_sample_validates_but_the_uncounted_one() -> None:
    connector = SuppliesInventoryConnector(SAMPLE)
    records = list(connector.read(None))
    uncounted = [r for r in records if r.ref == "supplies-inventory.xlsx:库存台账!14"]
    events = mapped_events(connector, [r for r in records if r not in uncounted])
    assert [e["item_code"] for e in events] == [
        "10101",
        "10201",
        "20101",
        "30101",
        "50101",
        "40101",
        "60101",
    ]
    # Merged warehouse cells and the merged count time carry down over their items.
    assert {e["warehouse_id"] for e in events[:4]} == {"SZ-CK-01"}
    assert {e["envelope"]["area"]["district_code"] for e in events[4:]} == {"440306"}
    assert {e["as_of"].isoformat() for e in events} == {"2015-12-19T09:00:00+00:00"}
    assert events[0]["item_name"] == "瓶装饮用水 550ml×24"  # with its specification
    assert events[-1]["quantity"] == 3000  # typed as the text "3,000"
    assert "classification" not in events[0]["envelope"]
    with pytest.raises(RecordRejected) as caught:
        connector.map(uncounted[0])
    assert caught.value.path == "quantity"


def test_english_headers_are_found_below_a_title(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "stock.xlsx",
        ["Relief supplies stock, 19 December 2015"],
        [],
        ["No.", "Warehouse", "Item", "Category", "Unit", "Quantity", "As of"],
        [1, "Guangming reserve", "Folding bed", "equipment", "piece", 120, COUNTED],
    )
    (event,) = mapped_events(SuppliesInventoryConnector(path))
    assert event["warehouse_id"] == event["warehouse_name"] == "Guangming reserve"
    assert event["item_code"] == "Folding bed"  # no code column: the name keys the row
    assert event["category"] == "EQUIPMENT"


def _patch(path: Path, part: str, pattern: str, replacement: str) -> None:
    """Edit one XML part of a saved workbook, for what openpyxl cannot write."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    text, found = re.subn(pattern, replacement, parts[part].decode())
    assert found, f"{pattern} is not in {part}"
    parts[part] = text.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _with_cached_value(path: Path, formula: str, value: str) -> None:
    """What Excel leaves after calculating: the formula and its value (openpyxl writes
    formulas without one)."""
    sheet = "xl/worksheets/sheet1.xml"
    _patch(path, sheet, re.escape(f"<f>{formula}</f><v />"), f"<f>{formula}</f><v>{value}</v>")


def _saved_at(path: Path, when: str) -> None:
    """Set when the workbook says it was saved (openpyxl writes the time of saving)."""
    _patch(path, "docProps/core.xml", r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{when}")


def test_a_formula_is_read_as_the_value_excel_calculated(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", WATER, _replace(TENTS, "数量", "=G2/20"))
    _with_cached_value(path, "G2/20", "240")
    _, tents = mapped_events(SuppliesInventoryConnector(path))
    assert tents["quantity"] == 240


def test_a_formula_excel_never_calculated_is_rejected_as_blank(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", _replace(TENTS, "数量", "=1+1"))
    connector = SuppliesInventoryConnector(path)
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected, match="never calculated") as caught:
        connector.map(record)
    assert caught.value.path == "quantity"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (datetime(2015, 12, 19, 17, 0), "2015-12-19T09:00:00+00:00"),
        (date(2015, 12, 19), "2015-12-18T16:00:00+00:00"),
        ("2015-12-19 17:00", "2015-12-19T09:00:00+00:00"),
        ("2015/12/19 17:00", "2015-12-19T09:00:00+00:00"),
        ("2015-12-19T09:00:00Z", "2015-12-19T09:00:00+00:00"),
    ],
)
def test_count_times_are_shenzhen_time_unless_they_say_otherwise(
    tmp_path: Path, written: Any, expected: str
) -> None:
    path = _book(tmp_path / "s.xlsx", _replace(WATER, "盘点时间", written))
    (event,) = mapped_events(SuppliesInventoryConnector(path))
    assert event["as_of"].isoformat() == expected
    assert event["envelope"]["occurred_at"] == event["as_of"]


def test_without_a_count_time_the_workbook_saved_time_is_used(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", WATER[:-1], header=HEADER[:-1])
    _saved_at(path, "2015-12-19T09:30:00Z")
    (event,) = mapped_events(SuppliesInventoryConnector(path))
    assert event["as_of"].isoformat() == "2015-12-19T09:30:00+00:00"


def test_titles_sections_totals_and_signatures_are_not_items(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "s.xlsx",
        ["应急物资库存表"],
        ["填报单位：市商务局", None, None, "日期：2015-12-19"],
        HEADER,
        ["一、生活类物资"],
        WATER,
        [],
        HEADER,  # a header repeated for printing
        TENTS,
        ["合计", None, None, None, None, None, 5150],
        ["填表人：王某", None, None, "审核人：李某"],
        [None, "注", "数量以箱计"],
    )
    assert [r.ref for r in SuppliesInventoryConnector(path).read(None)] == [
        "s.xlsx:Sheet!5",
        "s.xlsx:Sheet!8",
    ]


def test_merged_warehouse_cells_carry_down_over_their_items(tmp_path: Path) -> None:
    tents = _replace(_replace(TENTS, "仓库编号", None), "仓库名称", None)
    path = _book(tmp_path / "s.xlsx", WATER, _replace(tents, "盘点时间", None))
    _, event = mapped_events(SuppliesInventoryConnector(path))
    assert (event["warehouse_id"], event["warehouse_name"]) == ("SZ-CK-01", "光明储备库")
    assert event["as_of"].isoformat() == "2015-12-19T09:00:00+00:00"


def test_sheets_without_a_header_and_hidden_sheets_are_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["本表按月更新"])
    stock = book.create_sheet("库存")
    stock.append(HEADER)
    stock.append(WATER)
    old = book.create_sheet("旧表")
    old.append(HEADER)
    old.append(TENTS)
    old.sheet_state = "hidden"
    book.save(path)
    assert [r.ref for r in SuppliesInventoryConnector(path).read(None)] == ["s.xlsx:库存!2"]


def test_a_workbook_without_a_unit_column_is_rejected_once_naming_it(tmp_path: Path) -> None:
    header = tuple(h for h in HEADER if h != "单位")
    path = _book(tmp_path / "s.xlsx", tuple(c for c in WATER if c != "箱"), header=header)
    connector = SuppliesInventoryConnector(path)
    (record,) = connector.read(None)
    assert record.ref == "s.xlsx"
    with pytest.raises(RecordRejected, match="计量单位") as caught:
        connector.map(record)
    assert caught.value.path == "unit"
    assert list(connector.read(record.position)) == []


def test_a_file_that_is_not_a_workbook_is_rejected_once(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"item,quantity\nwater,1\n")
    connector = SuppliesInventoryConnector(path)
    (record,) = connector.read(None)
    with pytest.raises(ValueError, match="not an .xlsx workbook"):
        connector.map(record)
    assert list(connector.read(record.position)) == []


def test_two_columns_for_one_field_reject_the_workbook(tmp_path: Path) -> None:
    header = (*HEADER, "库存数量")
    connector = SuppliesInventoryConnector(_book(tmp_path / "s.xlsx", (*WATER, 1), header=header))
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == "quantity"


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("数量", "many", "quantity"),
        ("数量", -5, "quantity"),
        ("数量", None, "quantity"),
        ("单位", None, "unit"),
        ("物资类别", "武器", "category"),
        ("盘点时间", "soon", "as_of"),
        ("盘点时间", 42357.7, "as_of"),
        ("物资名称", None, "item_name"),
    ],
)
def test_a_bad_row_is_rejected_naming_its_field(
    tmp_path: Path, column: str, value: Any, field: str
) -> None:
    path = _book(tmp_path / "s.xlsx", _replace(WATER, column, value))
    connector = SuppliesInventoryConnector(path)
    (record,) = connector.read(None)
    with pytest.raises(RecordRejected) as caught:
        connector.map(record)
    assert caught.value.path == field


def test_codes_typed_as_numbers_are_text(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", _replace(WATER, "物资编码", 10101.0))
    (event,) = mapped_events(SuppliesInventoryConnector(path))
    assert event["item_code"] == "10101"


def test_after_a_restart_only_changed_rows_are_taken(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", WATER, TENTS)
    first = list(SuppliesInventoryConnector(path).read(None))
    assert len(first) == 2

    restarted = SuppliesInventoryConnector(path)
    assert list(restarted.read(first[-1].position)) == []

    # Counted again a day later: the water is unchanged, tents went out.
    later = datetime(2015, 12, 20, 17, 0)
    _book(
        path,
        _replace(WATER, "盘点时间", later),
        _replace(_replace(TENTS, "数量", 300), "盘点时间", later),
    )
    (changed,) = restarted.read(first[-1].position)
    assert changed.ref == "s.xlsx:库存!3"
    assert restarted.map(changed)["quantity"] == 300
    assert list(restarted.read(changed.position)) == []


def test_a_count_read_again_keeps_its_event_id(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", WATER, TENTS)
    before = {
        e["item_code"]: e["envelope"]["event_id"]
        for e in mapped_events(SuppliesInventoryConnector(path))
    }
    _book(path, TENTS, WATER)
    after = {
        e["item_code"]: e["envelope"]["event_id"]
        for e in mapped_events(SuppliesInventoryConnector(path))
    }
    assert before == after


def test_a_row_that_stays_bad_is_dead_lettered_once(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", WATER, _replace(TENTS, "数量", "待盘点"))
    _saved_at(path, "2015-12-19T09:00:00Z")
    connector = SuppliesInventoryConnector(path)
    records = list(connector.read(None))
    assert len(records) == 2
    assert list(connector.read(records[-1].position)) == []
    _saved_at(path, "2015-12-20T09:00:00Z")  # exported again, the row still uncounted
    assert list(connector.read(records[-1].position)) == []
    _book(path, WATER, TENTS)
    (fixed,) = connector.read(records[-1].position)
    assert connector.map(fixed)["quantity"] == 350


def test_a_folder_is_read_at_its_latest_workbook_not_at_excel_lock_files(tmp_path: Path) -> None:
    _book(tmp_path / "inventory-20151218.xlsx", _replace(WATER, "数量", 5000))
    _book(tmp_path / "inventory-20151219.xlsx", WATER)
    (tmp_path / "~$inventory-20151219.xlsx").write_bytes(b"owner")
    (event,) = mapped_events(SuppliesInventoryConnector(tmp_path))
    assert event["quantity"] == 4800


def test_a_second_run_through_the_outbox_takes_nothing(tmp_path: Path) -> None:
    first = run_in_memory(SuppliesInventoryConnector(SAMPLE), tmp_path)
    assert (len(first.events), len(first.dead_letters)) == (7, 1)
    assert b'"row":14' in first.dead_letters[0].value
    again = run_in_memory(SuppliesInventoryConnector(SAMPLE), tmp_path)
    assert (again.report.read, again.events, again.dead_letters) == (0, [], [])
