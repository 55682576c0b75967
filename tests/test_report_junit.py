"""junit.xml: one failing test case per finding, a suite per audit, a passing case for each
audit that found nothing, an error case for an audit that crashed; crawled text stays text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from reports import junit
from tests.support.profiles import write_profile
from tests.support.reportdata import report_data
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile, load_profile

SITE = "http://127.0.0.1:8000/"


def _finding(**kw: object) -> Finding:
    base = {"audit": "dead_link", "severity": "medium", "url": SITE + "a.html", "message": "链接无法打开。",
            "status": "new", "first_seen": "2026-11-20", "deadline": "2026-11-27"}
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def _profile(tmp_path: Path) -> Profile:
    return load_profile(write_profile(tmp_path, {"site": {"name": "示范区", "start_urls": [SITE]}}))


def _suites(root: ET.Element) -> dict[str, ET.Element]:
    return {s.get("name"): s for s in root.findall("testsuite")}


def test_counts_per_audit_and_passing_cases() -> None:
    findings = [_finding(target=SITE + f"gone{i}.html") for i in range(3)]
    findings.append(_finding(audit="typo", text="布署", message="“布署”应为“部署”。", severity="low"))
    root = junit.build(findings, ["dead_link", "typo", "ipv6", "stale_column"], {"dead_link": "链接不可用"})
    suites = _suites(root)
    assert set(suites) == {"dead_link", "typo", "ipv6", "stale_column"}
    assert root.get("tests") == "6" and root.get("failures") == "4" and root.get("errors") == "0"
    dead = suites["dead_link"]
    assert (dead.get("tests"), dead.get("failures")) == ("3", "3")
    assert len(dead.findall("testcase/failure")) == 3
    assert dead.find("properties/property").get("value") == "链接不可用"
    assert {c.find("failure").get("message") for c in dead.findall("testcase")} == {"链接无法打开。"}
    assert suites["typo"].find("testcase/failure").get("type") == "low"
    for name in ("ipv6", "stale_column"):
        s = suites[name]
        assert (s.get("tests"), s.get("failures")) == ("1", "0")
        cases = s.findall("testcase")
        assert len(cases) == 1 and cases[0].find("failure") is None


def test_findings_of_an_unlisted_audit_still_get_a_suite() -> None:
    root = junit.build([_finding(audit="newmedia_stale")], [], {})
    assert _suites(root)["newmedia_stale"].get("failures") == "1"


def test_a_crashed_audit_is_an_error_not_a_pass() -> None:
    root = junit.build([], ["typo"], {}, errors={"typo": "RuntimeError: boom"})
    suite = _suites(root)["typo"]
    assert suite.get("errors") == "1" and root.get("errors") == "1"
    assert suite.find("testcase/error").get("message") == "RuntimeError: boom"


def test_written_file_parses_and_keeps_crawled_text_as_text(tmp_path: Path) -> None:
    hostile = '<![CDATA[x]]></failure><testcase name="fake"/>\x00\x1b&amp;'
    path = junit.write(tmp_path, report_data([_finding(message=hostile, page_title=hostile, text=hostile)], [], {}, _profile(tmp_path), date(2026, 11, 27)))
    root = ET.parse(path).getroot()
    dead = _suites(root)["dead_link"]
    cases = dead.findall("testcase")
    assert len(cases) == 1
    assert cases[0].find("failure").get("message") == '<![CDATA[x]]></failure><testcase name="fake"/>&amp;'
    assert path.read_bytes().startswith(b"<?xml")
    assert not list(tmp_path.glob("*.tmp"))
