"""Matching staging findings against a production run: production's accepted 误报 hold on
staging too (by id, for the text audits by the wording anywhere on the site, for dead links by
the target's group)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.support.profiles import write_profile
from zhaocuo.app import baseline, review
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile

P = "https://www.example.gov.cn"


def _typo(url: str, text: str) -> Finding:
    return Finding(audit="typo", severity="medium", url=url, text=text, suggestion="部署", message="错别字")


def test_production_s_suppressions_hold_on_staging(tmp_path: Path) -> None:
    prod = tmp_path / "prod"
    prod.mkdir()
    known = Finding(audit="dead_link", severity="medium", url=P + "/a.html", target=P + "/x.html", message="失效",
                    first_seen="2026-01-05", deadline="2026-01-12", status="open")
    (prod / "findings.jsonl").write_text(known.to_json() + "\n", encoding="utf-8")
    ignored = Finding(audit="dead_link", severity="medium", url=P + "/b.html", target=P + "/y.html", message="")
    grouped = Finding(audit="dead_link", severity="medium", url=P + "/e.html", target=P + "/z.html", message="")
    accepted = review.Suppressions(ids={ignored.id}, texts={review.text_key("typo", "布署")}, groups={grouped.group})
    (prod / baseline.SUPPRESSED_FILE).write_text(json.dumps(baseline.suppressions_doc(accepted)), encoding="utf-8")
    base = baseline.load(prod)
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": [P + "/"]}}))
    staged = [Finding.from_dict(known.to_dict()), ignored, _typo(P + "/c.html", "布署"), _typo(P + "/d.html", "布暑"),
              grouped]
    kept = baseline.compare(staged, base, profile, date(2026, 5, 20))
    assert [(f.url, f.baseline) for f in kept] == [(P + "/a.html", "known"), (P + "/d.html", "new")]
    assert (kept[0].first_seen, kept[0].deadline, kept[0].status, kept[0].overdue) == ("2026-01-05", "2026-01-12",
                                                                                      "open", True)
    assert (kept[1].status, kept[1].first_seen, kept[1].overdue) == ("new", "2026-05-20", False) and kept[1].deadline
    assert baseline.gate_fails(kept, "medium") and not baseline.gate_fails(kept, "high")
