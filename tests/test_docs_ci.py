"""docs/ describes the release gate's additions to the outside contract, on pages of its own
(never pointing users at a file outside the repository), with working CI examples."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_gate_s_additions_are_documented() -> None:
    ci = (DOCS / "ci.md").read_text(encoding="utf-8")
    outputs = (DOCS / "outputs.md").read_text(encoding="utf-8")
    profile = (DOCS / "profile.md").read_text(encoding="utf-8")
    for name in ("--baseline", "--fail-on-new", "production_url", "baseline"):
        assert name in ci and name in outputs, name
    assert "| `production_url` |" in profile and "| `ca_file` |" in profile
    assert ci.index("# ") < ci.index("GitLab") < ci.index("Jenkins")
    assert "本次发布新增问题" in ci and "退出码" in ci


def test_docs_are_self_contained() -> None:
    for page in DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\.\./shared|/work/shared", text), page.name


def test_the_gitlab_job_is_valid_yaml_running_the_gate() -> None:
    ci = (DOCS / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", ci, re.S)
    assert block is not None
    job = yaml.safe_load(block.group(1))["release-gate"]
    command = " ".join(job["script"])
    assert "--baseline prod" in command and "--fail-on-new medium" in command
    assert job["artifacts"]["reports"]["junit"] == "gate/junit.xml" and job["artifacts"]["when"] == "always"
