"""Health Commission connector: hospital capacity CSV exports to ``health.hospital-capacity``.

The source. Hospitals report beds, intensive care beds, the emergency department's
state and ventilators into the Health Commission's reporting system, which exports the
whole table as CSV every few minutes: one row per hospital, overwriting the same file
(give its path) or as timestamped files in a folder (give the folder; the last file by
name is read, and earlier ones, superseded, are not). A file still being written (its
size or time changes while it is read) is left for the next poll.

Columns. The schema's English names or the Chinese headers these systems use (医疗机构
编号, 空余床位, 急诊状态 …; the table is in :mod:`columns`); others are ignored. A
missing required column rejects the file once, naming the field. Counts may carry
thousands separators (``1,200``) and optional ones may be blank; times without an offset
are Shenzhen time; the emergency department's state is a schema symbol or its Chinese
word (正常, 繁忙, 饱和, 分流, 停诊).

Encoding. UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), unless most
of the file's non-ASCII bytes are not UTF-8: then GB18030 (Excel's plain "CSV" on a
Chinese Windows; a superset of GBK). ``encoding=`` fixes it. Bytes that are not text in
the encoding reject only their row, naming the column.

Only changes. A digest per hospital of what its row said is kept in the checkpoint, so
a drop that repeats a row makes no record, and a restart publishes nothing twice. A row
that cannot be mapped is still a record (its header and row, as UTF-8 CSV, are the
dead letter), digested by its text so it is dead-lettered once, not at every poll.
Event ids come from the hospital, its report time and its figures.

No classification: a capacity count is routine and describes no emergency.
"""

from connectors.health_capacity.connector import HospitalCapacityConnector

__all__ = ["HospitalCapacityConnector"]
