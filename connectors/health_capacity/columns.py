"""Which column of an export holds which field. Hospital reporting systems export either
the schema's English names or Chinese headers, so each field takes several names;
other columns (序号, 备注) are ignored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hub.connect import RecordRejected

#: Field -> the headers that mean it, compared after :func:`normal`.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "hospital_id": ("hospital_id", "医疗机构编号", "机构编码", "机构代码", "医院编号"),
    "hospital_name": ("hospital_name", "医院名称", "机构名称", "医疗机构名称"),
    "reported_at": ("reported_at", "填报时间", "更新时间", "统计时间", "上报时间"),
    "district_code": ("district_code", "行政区划代码", "区划代码"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "longitude", "经度"),
    "beds_total": ("beds_total", "开放床位", "开放床位数"),
    "beds_available": ("beds_available", "空余床位", "空余床位数", "空床数"),
    "icu_beds_total": ("icu_beds_total", "ICU床位", "ICU床位数", "重症监护床位"),
    "icu_beds_available": ("icu_beds_available", "ICU空床", "ICU空余床位", "重症监护空余床位"),
    "emergency_department_status": ("emergency_department_status", "ed_status", "急诊状态"),
    "emergency_patients_waiting": ("emergency_patients_waiting", "急诊候诊人数", "候诊人数"),
    "emergency_wait_minutes": ("emergency_wait_minutes", "急诊等候时间", "等候时间"),
    "ventilators_total": ("ventilators_total", "呼吸机总数", "呼吸机数"),
    "ventilators_available": ("ventilators_available", "可用呼吸机", "可用呼吸机数"),
}

REQUIRED = (
    "hospital_id",
    "hospital_name",
    "reported_at",
    "beds_total",
    "beds_available",
    "icu_beds_total",
    "icu_beds_available",
    "emergency_department_status",
)

_FULL_WIDTH = str.maketrans("（）", "()")


def normal(header: str) -> str:
    """A header as compared: case, spaces, underscores and a unit in brackets at the end
    (``急诊等候时间（分钟）``) do not count."""
    text = header.translate(_FULL_WIDTH).strip().casefold()
    text = re.sub(r"\([^()]*\)$", "", text)
    return re.sub(r"[\s_\-]", "", text)


_FIELD_OF = {normal(alias): field for field, names in ALIASES.items() for alias in names}


def undecodable(text: str) -> bool:
    """True when the text holds bytes its file's encoding could not read."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each field is in a row, and the header it had there."""

    index: Mapping[str, int]
    headers: Mapping[str, str]
    width: int

    @classmethod
    def of(cls, header: Sequence[str]) -> Columns:
        """Resolve a header row; ``RecordRejected`` names a field the header lacks."""
        index: dict[str, int] = {}
        for position, text in enumerate(header):
            field = _FIELD_OF.get(normal(text))
            if field is None:
                continue
            if field in index:
                raise RecordRejected(
                    field,
                    f"two columns mean {field}: {header[index[field]]!r} and {text!r}",
                )
            index[field] = position
        for field in REQUIRED:
            if field not in index:
                hint = " (the header holds bytes that are not text: set encoding)"
                raise RecordRejected(
                    field,
                    f"no column for {field} in the header; it may be called"
                    f" {' or '.join(ALIASES[field])}; the header has {', '.join(header)}"
                    + (hint if any(undecodable(h) for h in header) else ""),
                )
        if ("lat" in index) != ("lon" in index):
            missing = "lon" if "lat" in index else "lat"
            raise RecordRejected(missing, "lat and lon come together; the header has one")
        headers = {field: header[position].strip() for field, position in index.items()}
        return cls(index=index, headers=headers, width=len(header))

    def cells(self, fields: Sequence[str]) -> dict[str, str]:
        """The row's text by field; a field whose column the row lacks is blank."""
        if len(fields) > self.width and any(f.strip() for f in fields[self.width :]):
            raise RecordRejected(
                "<row>",
                f"{len(fields)} cells under a header of {self.width}: a comma in a value"
                " that is not in quotes?",
            )
        cells = {}
        for field, position in self.index.items():
            text = fields[position].strip() if position < len(fields) else ""
            if undecodable(text):
                raise RecordRejected(
                    field,
                    f"column {self.headers[field]!r} holds bytes that are not text in the"
                    " file's encoding; set the connector's encoding (for example gb18030)",
                )
            cells[field] = text
        return cells
