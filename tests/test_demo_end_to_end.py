"""`make demo` end to end: the demo site served on loopback, audited by the real CLI, gives
every report, flags the demo's dead links and leaves its look-alikes alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import openpyxl
import pytest

from demo.run import ROOT
from demo.server import DemoServer

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`python -m demo.run` (what `make demo` runs), once for the whole module: two nights."""
    out = tmp_path_factory.mktemp("demo-out")
    env = {**os.environ, "ZHAOCUO_HOME": str(tmp_path_factory.mktemp("home"))}
    proc = subprocess.run([sys.executable, "-m", "demo.run", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc, out


@pytest.fixture(scope="module")
def demo_report(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> Path:
    proc, out = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "report" / "report.html"


def _findings(report: Path) -> list[dict]:
    lines = (report.parent / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _path(url: str) -> str:
    return urlsplit(url).path


def test_demo_writes_every_report(demo_report: Path) -> None:
    folder = demo_report.parent
    assert demo_report.is_absolute() and demo_report.name == "report.html"
    for name in ("findings.jsonl", "fixed.jsonl", "summary.json", "report.html", "ledger.xlsx", "junit.xml"):
        assert (folder / name).is_file(), name
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] >= 25 and summary["links_checked"] >= 25
    assert summary["site"] == "示范区人民政府"
    doc = lxml.html.fromstring(demo_report.read_text(encoding="utf-8"))
    assert "示范区人民政府" in doc.findtext(".//h1") and "单项否决风险" in doc.text_content()
    book = openpyxl.load_workbook(folder / "ledger.xlsx")
    assert book.sheetnames[0] == "汇总" and "区教育局" in book.sheetnames
    suites = {s.get("name") for s in ET.parse(folder / "junit.xml").getroot().findall("testsuite")}
    assert "dead_link" in suites


def test_demo_flags_its_dead_links(demo_report: Path) -> None:
    dead = {(_path(f["url"]), _path(f["target"])): f for f in _findings(demo_report) if f["audit"] == "dead_link"}
    assert dead, "the demo must show dead links"
    home_404 = dead[("/", "/zwgk/gzbg/2019.html")]
    assert home_404["severity"] == "high", "a dead link on the homepage is serious"
    assert dead[("/bm/jyj/", "/bm/jyj/zsjz-2019.html")]["unit"] == "区教育局"
    assert ("/bm/jyj/", "/bm/jyj/files/2019-zsjz.doc") in dead          # a dead attachment
    assert ("/bm/wjj/", "/bm/wjj/yjjz.html") in dead                     # a soft 404 (200 + 页面不存在)
    assert ("/hdjl/", "/hdjl/loop/a") in dead                            # a redirect loop
    assert ("/bm/jyj/", "/bm/jyj/images/xiaoyuan-2019.jpg") in dead      # a dead image
    external = [f for f in _findings(demo_report) if f["audit"] == "dead_link"
                and urlsplit(f["target"]).hostname == "127.0.0.2"]
    assert len(external) == 1 and _path(external[0]["url"]) == "/hdjl/"  # refused: nobody listens there


def test_demo_second_night_shows_fixed_new_open_and_overdue(demo_report: Path) -> None:
    findings = _findings(demo_report)
    fixed = [json.loads(line) for line in (demo_report.parent / "fixed.jsonl").read_text(encoding="utf-8").splitlines()]
    # Only the dead links are pinned here: other audits' demo pages are theirs to change.
    fixed_links = [_path(f["target"]) for f in fixed if f["audit"] == "dead_link"]
    assert fixed_links == ["/bm/jyj/tzgg-2018.html"], "removed during the week: fixed"
    new = [f for f in findings if _path(f["target"]) == "/bm/wjj/2026-dongji-paiban.html"]
    assert new and {f["status"] for f in new} == {"new"} and {f["first_seen"] for f in new} == {"2026-11-20"}
    home_404 = next(f for f in findings if _path(f["target"]) == "/zwgk/gzbg/2019.html")
    assert (home_404["status"], home_404["first_seen"], home_404["overdue"]) == ("open", "2026-11-12", True)
    doc = lxml.html.fromstring(demo_report.read_text(encoding="utf-8"))
    text = doc.text_content()
    assert "已逾期" in text and "本次确认已整改" in text and "tzgg-2018.html" in text
    assert (demo_report.parent.parent / "report-2026-11-12" / "report.html").is_file()


def test_demo_look_alikes_are_not_flagged(demo_report: Path) -> None:
    targets = {_path(f["target"]) for f in _findings(demo_report) if f["audit"] == "dead_link"}
    assert "/old/wjj/" not in targets, "a 301 to a live page is not dead"
    assert "/xwzx/gzdt/2026/11/12/art_1121.html" not in targets, "a page that mentions 404 is not a soft 404"
    assert "/xwzx/gzdt/2026/10/28/art_1028.html" not in targets, "the GBK page is live"
    assert "/bm/jyj/files/2026-zsjz.pdf" not in targets


def test_demo_server_serves_its_own_not_found_page_and_fills_placeholders() -> None:
    with DemoServer() as srv:
        import urllib.error
        import urllib.request

        page = urllib.request.urlopen(srv.url("/hdjl/"), timeout=10).read().decode("utf-8")
        assert f"127.0.0.2:{srv.dead_port}/" in page and "__DEAD_PORT__" not in page
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(srv.url("/no/such/page.html"), timeout=10)
        assert err.value.code == 404 and "页面不存在" in err.value.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(srv.url("/../../etc/passwd"), timeout=10)
        gbk = urllib.request.urlopen(srv.url("/xwzx/gzdt/2026/10/28/art_1028.html"), timeout=10).read()
        assert "森林防火".encode("gbk") in gbk


def test_demo_command_prints_the_report_path_last(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last == str((out / "report" / "report.html").resolve())
    assert Path(last).is_file()
    assert "2026-11-12" in proc.stderr and "2026-11-20" in proc.stderr, "both nights are announced"


def test_demo_message_boards(demo_report: Path) -> None:
    """区长信箱: three months and one day on the demo night (in time on the earlier one) is new;
    咨询投诉's complaint on the board's third page (paged by query string) was already open;
    exactly three months, answered late, forwarded and pinned messages are not vetoes."""
    got = {urlsplit(f["url"]).path + ("?" + urlsplit(f["url"]).query if urlsplit(f["url"]).query else ""): f
           for f in _findings(demo_report) if f["audit"] == "interaction_unanswered"}
    assert set(got) == {"/hdjl/qzxx/1.html", "/hdjl/zxts/detail.html?id=23"}
    assert got["/hdjl/qzxx/1.html"]["status"] == "new" and got["/hdjl/zxts/detail.html?id=23"]["status"] == "open"
    assert {f["unit"] for f in got.values()} == {"区政府办公室"}
    summary = json.loads((demo_report.parent / "summary.json").read_text(encoding="utf-8"))["interaction_unanswered"]
    assert [c["name"] for c in summary["uncheckable"]] == ["书记信箱"]
    assert "书记信箱" in demo_report.read_text(encoding="utf-8")


def test_demo_cms_columns_defects_behind_later_groups_and_pages(demo_report: Path) -> None:
    """重点项目 (大汉, third dataproxy.jsp group by POST), 惠企政策 (大汉, GET only) and 工作要闻 (TRS,
    meta-refresh root, index_3.html named only by createPageHTML): each defect there is reported."""
    from demo import cmsdemo

    findings = _findings(demo_report)
    dead = {(_path(f["url"]), _path(f["target"])) for f in findings if f["audit"] == "dead_link"}
    for article, target in cmsdemo.DEFECTS.items():
        assert (article, target) in dead, article
    assert (cmsdemo.TRS_DEFECT, "/files/ywyw-2025-gzap.doc") in dead
    typos = {_path(f["url"]) for f in findings if f["audit"] == "typo" and f["text"] == "布署"}
    assert {*cmsdemo.DEFECTS, cmsdemo.TRS_DEFECT} <= typos
    owner = next(f for f in findings if _path(f["url"]) == next(iter(cmsdemo.DEFECTS)))
    assert owner["unit"] == "区发展和改革局"
    blank = {_path(f["url"]) for f in findings if f["audit"] in ("blank_column", "stale_column")}
    assert not blank & {"/col/col201/index.html", "/col/col202/index.html", "/zwgk/gzdt/", "/zwgk/gzdt/ywyw/"}
    columns = json.loads((demo_report.parent / "summary.json").read_text(encoding="utf-8"))["stale_column"]["columns"]
    counts = {_path(c["url"]): c["items"] for c in columns}
    assert counts["/col/col201/index.html"] == 120 and counts["/col/col202/index.html"] == 60
    assert counts["/zwgk/gzdt/ywyw/"] == 40 and "/zwgk/gzdt/" not in counts
