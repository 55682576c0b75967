"""`zhaocuo check-text` runs the context model: a real-word typo in a draft is reported, its
correct form is not, and a first run with an empty cache builds the model and caches it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def test_check_text_reports_a_real_word_typo_and_caches_the_model(tmp_path) -> None:
    draft = "市人民政府办公厅关于印发工作方案的通之。\n市人民政府办公厅关于印发工作方案的通知。\n"
    proc = run_cli("check-text", "-", input=draft, timeout=120, env={"XDG_CACHE_HOME": str(tmp_path)})
    assert proc.returncode == 1, proc.stderr  # 1: errors found
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[0]["errors"] == [{"start": 18, "text": "之", "suggestion": "知", "audit": "typo"}]
    assert lines[1]["errors"] == []
