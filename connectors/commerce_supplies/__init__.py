"""Commerce Bureau connector: the emergency supplies inventory workbook to
``commerce.supplies-inventory``.

The source. The bureau's reserve keeps its stock list in an Excel workbook (.xlsx),
exported whole after each count and after dispatches during a response: one row per
warehouse and item, often under a title line, with merged warehouse cells, section
headings, a totals row and signature lines. Give the workbook's path, or a folder of
dated exports (the last by name is read). A workbook being saved is left for the next
poll.

Reading. openpyxl, read-only, with cached values: a formula is the value Excel last
calculated (one never calculated, as in a file written by a script, reads blank);
dates are datetimes, in Shenzhen time unless they carry a zone. The layout rules (which
rows are items, what carries down from merged cells) are in :mod:`workbook`.

Columns. Found by name in Chinese or English (物资名称/item_name, 数量/quantity,
单位/unit, 仓库/warehouse, 物资编码/item_code, 物资类别/category, 盘点时间/as_of …;
the table is in :mod:`headers`). Item name, quantity, unit and a warehouse (id or name)
are required; a workbook in which no sheet has them is one record, rejected naming the
field that is missing. Without a count time column, a row's count time is when the
workbook was saved; without a category, OTHER.

Only changes. A digest per warehouse and item of what the row said is kept in the
checkpoint: a re-export with the same stock makes no record, and a restart publishes
nothing twice. A row that cannot be mapped is still a record (its cells by column, as
JSON in the dead letter), dead-lettered once until it changes. Event ids come from the
warehouse, the item, the count time and the stock.

No classification: a stock count is routine and describes no emergency.
"""

from connectors.commerce_supplies.connector import SuppliesInventoryConnector

__all__ = ["SuppliesInventoryConnector"]
