"""`gongkai deadline`: JSON ledger in, due dates and explanation out; bad input is one Chinese line and status 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.cli import run_gongkai


def run(document: object | str, *args: str) -> str:
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    out = io.StringIO()
    call_command("deadline", "-", *args, stdin=io.StringIO(text), stdout=out)
    return out.getvalue()


def refused(document: object | str) -> str:
    with pytest.raises(CommandError) as caught:
        run(document)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- through the real command line ------------------------------------------------------------------------------


def test_cli_json_output_spring_festival_2024() -> None:
    """条例第三十三条: received 2024-02-05 → 2024-03-08 (counted in tests/clock/test_engine.py)."""
    done = run_gongkai("deadline", "-", "--format", "json", input='{"received": "2024-02-05", "events": []}')
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["reply_due"] == "2024-03-08"
    assert data["correction_notice_due"] == "2024-02-20"
    assert data["original_due"] == "2024-03-08"
    assert data["provisional"] is False
    assert data["paused"] is False
    assert data["warnings"] == []
    assert {"kind": "holiday", "date": "2024-02-10", "text": "跳过春节假期 2月10日至2月17日（8天）"} in data["steps"]


def test_cli_text_output_lists_dates_then_numbered_steps(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    ledger.write_text(
        json.dumps({"received": "2025-03-03", "events": [{"type": "extended", "date": "2025-03-28", "days": 20}]}),
        encoding="utf-8",
    )
    done = run_gongkai("deadline", str(ledger))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "答复期限：2025年4月28日（星期一）"
    assert "1. 2025年3月3日（星期一）收到申请。" in done.stdout
    assert "4月27日（星期日）为调休上班日，计入" in done.stdout


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("{not json", "输入不是有效的 JSON"),
        ('{"received": "2024-02-05", "events": [{"type": "extended", "date": "2024-02-06", "days": 25}]}', "第1个事件"),
    ],
)
def test_cli_bad_input_is_one_line_status_2_no_traceback(stdin: str, expected: str) -> None:
    done = run_gongkai("deadline", "-", input=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr


def test_cli_missing_file() -> None:
    done = run_gongkai("deadline", "/nonexistent/ledger.json")
    assert done.returncode == 2
    assert done.stderr.strip() == "找不到文件：/nonexistent/ledger.json"


def test_cli_provisional_2027() -> None:
    done = run_gongkai("deadline", "--format", "json", input='{"received": "2026-12-20"}')
    data = json.loads(done.stdout)
    assert data["reply_due"] == "2027-01-15"
    assert data["provisional"] is True
    assert data["warnings"] == ["2027年节假日安排尚未导入"]


# --- in process (database calendar when present) -------------------------------------------------------------


@pytest.mark.django_db
def test_consultation_pause_json() -> None:
    """条例第三十三条第三款: pause (2025-03-10, 2025-03-24] = 10 working days → 2025-04-15."""
    out = run(
        {
            "received": "2025-03-03",
            "events": [
                {"type": "consultation_started", "date": "2025-03-10"},
                {"type": "consultation_ended", "date": "2025-03-24", "note": "第三方回函"},
            ],
        },
        "--format",
        "json",
    )
    assert json.loads(out)["reply_due"] == "2025-04-15"


@pytest.mark.django_db
def test_awaiting_correction_reply_due_is_null() -> None:
    data = json.loads(
        run(
            {"received": "2025-03-03", "events": [{"type": "correction_requested", "date": "2025-03-05"}]},
            "--format",
            "json",
        )
    )
    assert data["reply_due"] is None
    assert data["paused"] is True


BAD = [
    ("[]", "输入必须是 JSON 对象"),
    ('"2024-01-01"', "输入必须是 JSON 对象"),
    ("{}", "缺少 received"),
    ('{"received": "2024-02-30"}', "received 不是有效日期"),
    ('{"received": "20240205"}', "received 不是有效日期"),
    ('{"received": 20240205}', "received 不是有效日期"),
    ('{"received": "2024-02-05", "events": {}}', "events 必须是数组"),
    ('{"received": "2024-02-05", "extra": 1}', "未知字段：extra"),
    ('{"received": "2024-02-05", "events": [1]}', "第1个事件：必须是 JSON 对象"),
    (
        '{"received": "2024-02-05", "events": [{"type": "paused", "date": "2024-02-06"}]}',
        "第1个事件（type=paused）：未知的事件类型",
    ),
    ('{"received": "2024-02-05", "events": [{"date": "2024-02-06"}]}', "第1个事件：未知的事件类型"),
    (
        '{"received": "2024-02-05", "events": [{"type": "consultation_started", "date": "2024-13-01"}]}',
        "第1个事件（type=consultation_started）：date 缺失或不是有效日期",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "consultation_started", "date": "2024-02-07"},'
        ' {"type": "consultation_ended", "date": "2024-02-06"}]}',
        "第2个事件（consultation_ended，2024-02-06）：事件未按日期先后排列",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "consultation_started", "date": "2024-02-04"}]}',
        "第1个事件（consultation_started，2024-02-04）：事件早于收到申请之日",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "extended", "date": "2024-02-06", "days": 21}]}',
        "第1个事件（extended，2024-02-06）：延长的期限最长不得超过20个工作日",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "extended", "date": "2024-02-06", "days": "5"}]}',
        "第1个事件（type=extended）：extended 须写明延长的工作日数",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "extended", "date": "2024-02-06", "days": 5},'
        ' {"type": "extended", "date": "2024-02-07", "days": 5}]}',
        "第2个事件（extended，2024-02-07）：延期只能一次",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "extended", "date": "2024-03-11", "days": 5}]}',
        "第1个事件（extended，2024-03-11）：延期须在当前答复期限（2024-03-08）届满前告知申请人",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "consultation_ended", "date": "2024-02-06"}]}',
        "第1个事件（consultation_ended，2024-02-06）：没有进行中的征求意见",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "fee_paid", "date": "2024-02-06"}]}',
        "第1个事件（fee_paid，2024-02-06）：没有收费通知",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "delay_set", "date": "2024-02-06"}]}',
        "第1个事件（type=delay_set）：delay_set 须写明延迟答复期限 until",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "delay_set", "date": "2024-02-06", "until": "2024-03-01"}]}',
        "第1个事件（delay_set，2024-02-06）：延迟答复期限（2024-03-01）不得早于当前答复期限（2024-03-08）",
    ),
    (
        '{"received": "2024-02-05", "events": [{"type": "fee_paid", "date": "2024-02-06", "days": 3}]}',
        "第1个事件（type=fee_paid）：days 只用于 extended 事件",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("document", "fragment"), BAD)
def test_bad_input_names_the_problem_in_one_line(document: str, fragment: str) -> None:
    assert fragment in refused(document)
