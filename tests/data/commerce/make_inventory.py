"""Writes connectors/samples/supplies-inventory.xlsx: a constructed stock list laid out
as reserve clerks lay theirs out (see SOURCE.md). Run it again after changing it:

    .venv/bin/python tests/data/commerce/make_inventory.py
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[3]
TARGET = ROOT / "connectors" / "samples" / "supplies-inventory.xlsx"

HEADER = (
    "序号",
    "仓库编号",
    "仓库名称",
    "行政区划代码",
    "物资编码",
    "物资名称",
    "规格型号",
    "物资类别",
    "计量单位",
    "库存数量",
    "盘点时间",
    "备注",
)
COUNTED = datetime(2015, 12, 19, 17, 0)

# (warehouse id, name, district) on the first row of a warehouse only: its cells are
# merged down over its items, as the real lists do.
ITEMS: tuple[tuple[object, ...], ...] = (
    ("一、生活类物资",),
    (
        1,
        "SZ-CK-01",
        "市救灾物资储备库（光明）",
        440311,
        "10101",
        "瓶装饮用水",
        "550ml×24",
        "饮用水",
        "箱",
        4800,
    ),
    (2, None, None, None, "10201", "方便面", "桶装×12", "食品", "箱", 2600),
    (3, None, None, None, "20101", "单帐篷", "12㎡", "帐篷", "顶", 350),
    (4, None, None, None, "30101", "棉被", "1.5m×2m", "被服", "床", 1200),
    ("二、救援器材及防护用品",),
    (
        5,
        "SZ-CK-02",
        "市应急物资储备库（宝安）",
        440306,
        "50101",
        "移动照明灯塔",
        "4×500W",
        "器材",
        "台",
        24,
    ),
    (6, None, None, None, "40101", "柴油", "0号", "燃料", "吨", 18.5),
    (7, None, None, None, "60101", "医用外科口罩", "50只/盒", "医用防护", "盒", "3,000"),
    (8, None, None, None, "50201", "编织袋", "90cm×120cm", "器材", "条", "待盘点", "盘点中"),
)


def build(target: Path = TARGET) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "库存台账"
    sheet.append(["深圳市应急物资储备库存表（示例，Linkage 构造数据）"])
    sheet.merge_cells("A1:L1")
    sheet.append(["填报单位：市商务局市场运行科（示例）", None, None, None, None, "单位：见各行"])
    sheet.append([])
    sheet.append(HEADER)
    first = sheet.max_row + 1
    for item in ITEMS:
        if len(item) == 1:
            sheet.append(item)
            continue
        counted = COUNTED if sheet.max_row == first else None  # the first item row
        sheet.append([*item[:10], counted, *item[10:]])
    last = sheet.max_row
    # Warehouse cells merged over their items, and one count time over the whole list.
    for column in "BCD":
        sheet.merge_cells(f"{column}{first + 1}:{column}{first + 4}")
        sheet.merge_cells(f"{column}{first + 6}:{column}{last}")
    sheet.merge_cells(f"K{first + 1}:K{last}")
    sheet.cell(first + 1, 11).number_format = "yyyy-mm-dd hh:mm"
    sheet.append(["合计", *[None] * 8, f"=SUM(J{first}:J{last})"])
    sheet.append([])
    sheet.append(["填表人：王某（示例）", None, None, None, None, "审核人：李某（示例）"])
    notes = book.create_sheet("说明")
    notes.append(["本表为 Linkage 构造的示例数据，不是真实库存。"])
    notes.append(["数量按计量单位计；盘点时间为北京时间。"])
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET))
