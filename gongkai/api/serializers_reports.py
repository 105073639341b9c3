"""The annual report's fixed JSON (issue 5 §7) described for the OpenAPI schema. The responses are the report's own
``as_json()`` (a published snapshot or a live build); these serializers only document its shape, key by key."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    ReportData,
)

__all__ = ["REPORT_EXAMPLE", "REPORT_KEYS", "AnnualReportSerializer"]

REPORT_KEYS: tuple[str, ...] = ("agency", "year", "table2", "table3", "table4", "findings")


def _count(help_text: str) -> serializers.IntegerField:
    # None only in a report read back by the checker, where a cell could not be read; never in a built report.
    return serializers.IntegerField(min_value=0, allow_null=True, help_text=help_text)


def _shape(name: str, fields: dict[str, Any]) -> type[serializers.Serializer[Any]]:
    """A serializer class whose field names are the JSON's Chinese or dotted keys (not Python identifiers)."""
    return type(name, (serializers.Serializer,), {"__module__": __name__, **fields})


# Each key gets its own instance: a serializer instance shared by several keys would be bound to the last one.
Table2DocumentsSerializer = _shape(
    "AnnualReportTable2DocumentsSerializer", {column: _count(f"{column}件数") for column in TABLE2_COUNTS}
)
Table2Serializer = _shape(
    "AnnualReportTable2Serializer",
    {
        **{doc: Table2DocumentsSerializer(help_text=f"第二十条第（一）项：{doc}") for doc in TABLE2_DOCS},
        **{name: _count(f"第二十条第（五）（六）项：{name}本年处理决定数量") for name in TABLE2_DECISIONS},
        TABLE2_FEE: serializers.CharField(
            allow_null=True,
            help_text="第二十条第（八）项：行政事业性收费本年收费金额，单位万元，十进制字符串（最多4位小数）",
        ),
    },
)
Table3RowSerializer = _shape(
    "AnnualReportTable3RowSerializer", {col: _count(f"申请人情况：{col}") for col in TABLE3_COLS}
)
Table3Serializer = _shape(
    "AnnualReportTable3Serializer",
    {key: Table3RowSerializer(help_text=label) for key, label in TABLE3_ROWS},
)
Table4BlockSerializer = _shape(
    "AnnualReportTable4BlockSerializer", {result: _count(result) for result in TABLE4_RESULTS}
)
Table4Serializer = _shape(
    "AnnualReportTable4Serializer", {block: Table4BlockSerializer(help_text=block) for block in TABLE4_BLOCKS}
)


class AnnualReportFindingSerializer(serializers.Serializer[Any]):
    rule = serializers.ChoiceField(choices=[f"R{i}" for i in range(1, 11)], help_text="检查规则 R1–R10")
    severity = serializers.ChoiceField(choices=["error", "warning"], help_text="error 阻止报送和发布；warning 提示")
    where = serializers.CharField(help_text="表、行、列，如“表三 一+二 vs 三（七）+四，列“自然人””")
    message = serializers.CharField(help_text="中文说明，含所涉数值")


class AnnualReportSerializer(serializers.Serializer[Any]):
    """{"agency", "year", "table2", "table3", "table4", "findings"} — nothing else at the top level."""

    agency = serializers.CharField(help_text="机关名称")
    year = serializers.IntegerField(help_text="报告年度")
    table2 = Table2Serializer(help_text="表二 主动公开政府信息情况")
    table3 = Table3Serializer(help_text="表三 收到和处理政府信息公开申请情况：行键 → 列 → 件数")
    table4 = Table4Serializer(help_text="表四 政府信息公开行政复议、行政诉讼情况：栏 → 结果 → 件数")
    findings = AnnualReportFindingSerializer(many=True)


def _example() -> dict[str, Any]:
    return ReportData(agency="湛河区司法局", year=2024).as_json()


REPORT_EXAMPLE = OpenApiExample(
    "全为0的年度报告",
    value=_example(),
    summary="表三行键 1、2、3.1…3.7、4；列 自然人…总计；表四 三栏 × 五项结果",
)
