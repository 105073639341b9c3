"""The seed: the Markdown export of 湛河区司法局's 2024 政府信息公开工作年度报告, the published document the project began
from (``../shared/seed/000_d313710ee9afc711.txt``), kept here byte for byte so that the tests built on it run in every
checkout, CI's clean clone included, rather than skipping where ``../shared`` is absent. A public government report,
quoted whole as test data."""

from __future__ import annotations

from pathlib import Path

SEED_REPORT = Path(__file__).resolve().parent / "reports" / "fixtures" / "seed_zhanhe_sfj_2024.txt"
