"""report.html: crawled strings are escaped, crawled URLs become links only when http(s),
the veto panel counts against the national thresholds, big units are capped, trends are
included only when reports.trends provides them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
import pytest

from reports import html as report_html
from tests.support.profiles import write_profile
from tests.support.reportdata import report_data
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile, load_profile

AS_OF = date(2026, 11, 20)
SITE = "http://127.0.0.1:8000/"


def _profile(tmp_path: Path) -> Profile:
    return load_profile(write_profile(tmp_path, {
        "site": {"name": "示范区人民政府", "start_urls": [SITE]},
        "units": [{"name": "区教育局", "paths": ["/bm/jyj/"]}],
    }))


def _summary(**extra: object) -> dict:
    return {"pages_crawled": 3, "links_checked": 9, "elapsed_s": 1.5, "findings": {}, "site": "示范区人民政府",
            "crawl_started_at": "2026-11-20T02:00:00+00:00", "crawl": {"elapsed_s": 1.2}, "audit_errors": {},
            **extra}


def _finding(**kw: object) -> Finding:
    base = {"audit": "dead_link", "severity": "medium", "url": SITE + "bm/jyj/a.html", "message": "链接无法打开。",
            "unit": "区教育局", "status": "new", "first_seen": "2026-11-20", "deadline": "2026-11-27"}
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(2)>通知'
HOSTILE_TEXT = '"><svg onload=alert(3)>布署'


def test_crawled_strings_are_escaped_and_no_script_runs(tmp_path: Path) -> None:
    findings = [
        _finding(page_title=HOSTILE_TITLE, target="javascript:alert(1)", message="链接“<b>通知</b>”无法打开。"),
        _finding(audit="typo", url=SITE + "bm/jyj/b.html", page_title="正常标题", text=HOSTILE_TEXT,
                 suggestion="<i>部署</i>", evidence="<iframe src=//evil>"),
    ]
    out = report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF))
    doc = lxml.html.fromstring(out)
    # Nothing crawled became markup: no script, img, svg, iframe, b or i element anywhere.
    for tag in ("script", "img", "svg", "iframe", "b", "i"):
        if tag == "b":
            # the header uses <b> for the total; no <b> may carry crawled text
            assert all("通知" not in (el.text_content()) for el in doc.iter("b"))
            continue
        assert not list(doc.iter(tag)), f"<{tag}> from crawled text must be escaped"
    assert not any(el.get("onerror") or el.get("onload") for el in doc.iter())
    # ...but the text is still there for the reader, verbatim.
    text = doc.text_content()
    assert HOSTILE_TITLE in text
    assert HOSTILE_TEXT in text
    assert "javascript:alert(1)" in text
    assert "&lt;script&gt;" in out


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x", "/relative/path",
    "http:///nohost", "",
])
def test_non_http_urls_never_become_links(tmp_path: Path, url: str) -> None:
    assert report_html.safe_href(url) == ""
    findings = [_finding(url=url or SITE, target=url, page_title="页面")]
    doc = lxml.html.fromstring(report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF)))
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert hrefs, "the report has links (homepage, unit anchors)"
    for h in hrefs:
        assert h.startswith(("http://", "https://", "#unit-")), h


def test_http_urls_are_links(tmp_path: Path) -> None:
    target = SITE + "bm/jyj/old.html?a=1&b=2"
    findings = [_finding(target=target, page_title="教育动态")]
    doc = lxml.html.fromstring(report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF)))
    hrefs = {a.get("href") for a in doc.iter("a")}
    assert target in hrefs
    assert SITE + "bm/jyj/a.html" in hrefs


def test_status_deadline_and_overdue_mark(tmp_path: Path) -> None:
    findings = [_finding(status="reopened", overdue=True, deadline="2026-11-01"),
                _finding(url=SITE + "bm/jyj/c.html", status="open")]
    out = report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF))
    doc = lxml.html.fromstring(out)
    rows = [r for r in doc.xpath("//tr[td]") if "/bm/jyj/" in r.text_content()]
    overdue_row = next(r for r in rows if "a.html" in r.text_content())
    assert "整改后复现" in overdue_row.text_content()
    assert "已逾期" in overdue_row.text_content() and "2026-11-01" in overdue_row.text_content()
    other = next(r for r in rows if "c.html" in r.text_content())
    assert "未整改" in other.text_content() and "已逾期" not in other.text_content()
    assert findings[1].id in other.text_content(), "the id a unit quotes in the ledger"


def test_findings_most_serious_first_within_a_unit(tmp_path: Path) -> None:
    findings = [_finding(url=SITE + "bm/jyj/low.html", severity="low"),
                _finding(url=SITE + "bm/jyj/high.html", severity="high"),
                _finding(url=SITE + "bm/jyj/veto.html", severity="veto")]
    out = report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF))
    assert out.index("veto.html") < out.index("high.html") < out.index("low.html")


def test_veto_panel_counts_columns_against_the_threshold(tmp_path: Path) -> None:
    stale = [_finding(audit="stale_column", url=SITE + f"col{i}/", column=f"栏目{i}") for i in range(5)]
    blank = [_finding(audit="blank_column", url=SITE + f"blank{i}/", column=f"空栏目{i}") for i in range(2)]
    doc = lxml.html.fromstring(report_html.render(report_data(stale + blank, [], _summary(), _profile(tmp_path), AS_OF)))
    panel = doc.xpath("//div[contains(@class,'panel')]")[0]
    assert "risk" in panel.get("class")
    items = [li.text_content() for li in panel.iter("li")]
    assert any("stale_column" in t or "栏目" in t for t in items)
    stale_line = next(t for t in items if "5 个" in t)
    assert "已达到" in stale_line
    blank_line = next(t for t in items if "2 个" in t)
    assert "还差 3 个" in blank_line


def test_veto_panel_is_calm_without_vetoes(tmp_path: Path) -> None:
    doc = lxml.html.fromstring(report_html.render(report_data([_finding()], [], _summary(), _profile(tmp_path), AS_OF)))
    panel = doc.xpath("//div[contains(@class,'panel')]")[0]
    assert "risk" not in panel.get("class")
    assert "未发现触发单项否决的问题" in panel.text_content()
    veto = report_html.render(report_data([_finding(severity="veto")], [], _summary(), _profile(tmp_path), AS_OF))
    assert "存在触发单项否决的风险" in veto


def test_large_units_are_capped_with_a_pointer_to_the_ledger(tmp_path: Path) -> None:
    findings = [_finding(url=SITE + f"bm/jyj/p{i}.html") for i in range(30)]
    doc = lxml.html.fromstring(report_html.render(report_data(findings, [], _summary(), _profile(tmp_path), AS_OF), max_rows=10))
    rows = [r for r in doc.xpath("//tr[td]") if "/bm/jyj/p" in r.text_content()]
    assert len(rows) == 10
    assert "另有 20 条未列出" in doc.text_content() and "ledger.xlsx" in doc.text_content()


def test_trends_section_shown_and_a_broken_chart_costs_only_the_chart(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _profile(tmp_path)
    runs = [{"run": 1, "as_of": "2026-11-19", "new": 2, "open": 0, "fixed": 0, "overdue": 0,
             "units": {"区教育局": {"new": 2}}},
            {"run": 2, "as_of": "2026-11-20", "new": 1, "open": 2, "fixed": 1, "overdue": 1,
             "units": {"区教育局": {"new": 1, "open": 2}}}]
    out = report_html.render(report_data([_finding()], [], _summary(), profile, AS_OF, trend_runs=runs))
    assert "趋势" in out and "<svg" in out
    assert "趋势" not in report_html.render(report_data([_finding()], [], _summary(), profile, AS_OF))

    def broken(runs: list[dict[str, object]]) -> str:
        raise RuntimeError("chart bug")

    monkeypatch.setattr(report_html, "svg_for", broken)
    out = report_html.render(report_data([_finding()], [], _summary(), profile, AS_OF, trend_runs=runs))
    assert "趋势" not in out and "区教育局" in out



def test_audit_errors_and_unreachable_site_are_shown(tmp_path: Path) -> None:
    out = report_html.render(report_data([], [], _summary(pages_crawled=0, audit_errors={"typo": "RuntimeError: x"}),
                             _profile(tmp_path), AS_OF))
    assert "运行出错" in out and "typo" in out
    assert "网站可能无法访问" in out


def test_ipv6_scores_are_shown_and_escaped(tmp_path: Path) -> None:
    lines = ["首页 IPv6 访问：否", "二级链接 IPv6 支持率：50.0%", "拉低二级链接支持率的主机：<script>x</script>.gov.cn"]
    out = report_html.render(report_data([], [], _summary(ipv6={"lines": lines}), _profile(tmp_path), AS_OF))
    doc = lxml.html.fromstring(out)
    assert "二级链接 IPv6 支持率：50.0%" in doc.text_content()
    assert not doc.xpath("//script") and "&lt;script&gt;x&lt;/script&gt;" in out
    without = report_html.render(report_data([], [], _summary(), _profile(tmp_path), AS_OF))
    assert "IPv6 支持情况" not in without
