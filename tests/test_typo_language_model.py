"""The language-model proofreader (audits/_lm.py, _lmcheck.py, _protect.py): what it must flag,
the look-alikes it must leave alone at the nightly audit's operating point, the repeated typo on
a real loopback site, and ``zhaocuo build-lm`` / ``[text] lm``. Every sentence is made up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audits._models import Models
from audits._proofread import Proofreader
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from tests.support.textsite_pages import page


@pytest.fixture(scope="module")
def nightly(proof_models: Models) -> Proofreader:
    return Proofreader(None, models=proof_models)  # the profile's default operating point: "audit"


def _typos(checker: Proofreader, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.suggestion) for e in checker.check(text) if e.audit == "typo"]


@pytest.mark.parametrize("text", [
    "各级政府要加强监笃。",      # 监督
    "进一步规范咨洵服务。",      # 咨询
])
def test_plain_non_words_are_found(nightly: Proofreader, text: str) -> None:
    (found,) = _typos(nightly, text)
    assert found in {("笃", "督"), ("洵", "询")}


FALSE_ALARM_CLASSES = {
    "person with a title or form of address": ["会上，季书弘同志作了工作报告。", "副局长冯欣艳主持会议并讲话。",
                                               "唐伟生支队长对我县工作表示肯定。"],
    "person in a list of names": ["参会人员：季书弘、冯欣艳、唐伟生、赵晓虎。"],
    "place names": ["凤仪镇缸窑村召开村民大会。", "石门乡柳湾社区开展义诊活动。", "龙泉街道办事处组织志愿服务。"],
    "organisations": ["湖南佳惠百货有限公司通过年度检查。", "本次培训由瑞丰合作社承办。"],
    "medicines and products": ["药店销售的连花清瘟胶囊价格平稳。", "检查了阿莫西林胶囊的进货记录。"],
    "quoted titles": ["开展“冀忆乡情”主题活动。", "学习《关于加强基层治理体系的意见》。"],
    "everyday words": ["请关注微信公众号和官方微博。", "孩子感冒后流涕咳嗽，请及时就医。"],
    "policy words": ["落实惠企政策，加大援企稳岗力度。", "坚持依宪治国、依宪执政。", "严肃查处学术不端行为。"],
    "ordinary grammar": ["各级政府及政府部门要认真落实。", "描绘城市愿景，推动高质量发展。", "区卫健局开展健康宣传。",
                         "本栏目共130条信息。", "报名需大学专科及以上学历。", "资金从培训资金或就业补助资金中安排。"],
    "formal numerals": ["经评审，认定为叁级教师。"],
}


@pytest.mark.parametrize("cls", sorted(FALSE_ALARM_CLASSES))
def test_look_alikes_are_left_alone_at_the_nightly_point(nightly: Proofreader, cls: str) -> None:
    flagged = {s: _typos(nightly, s) for s in FALSE_ALARM_CLASSES[cls]}
    assert all(v == [] for v in flagged.values()), flagged


def test_a_name_beside_a_title_is_protected_but_its_context_is_not(nightly: Proofreader) -> None:
    names = nightly.names
    assert names is not None
    text = "会上，王书弘同志对监笃工作提出要求。"
    spans = names.spans(text)
    assert {text.index("书"), text.index("弘")} <= spans and text.index("笃") not in spans
    assert _typos(nightly, text) == [("笃", "督")]


def test_draft_point_flags_more_than_the_nightly_point(proof_models: Models, nightly: Proofreader) -> None:
    """One engine, two operating points: a real-word slip the nightly point lets pass is
    reported to an editor checking a draft."""
    draft = Proofreader(None, point="draft", models=proof_models)
    text = "市人民政府办公厅关于印发工作方案的通之。"
    assert _typos(nightly, text) == []
    assert _typos(draft, text) == [("之", "知")]


def test_a_site_word_is_not_corrected_unless_its_look_alike_is_more_common(proof_models: Models, nightly: Proofreader) -> None:
    # 缸窑 written on many lines, 纲要 nowhere: the site's own word.
    local = Proofreader(None, site_freq={"缸窑": 40 * 50, "缸窑村": 40 * 50}, models=proof_models)
    assert local._site_word("缸窑村召开大会", 0, "纲")
    # 监笃 on 70 lines beside 监督 on 5,000: a repeated typo, still left to the model.
    repeated = Proofreader(None, site_freq={"监笃": 70 * 50, "监督": 5000 * 50}, models=proof_models)
    assert not repeated._site_word("加强监笃工作", 3, "督")
    assert _typos(repeated, "加强监笃工作。") == [("笃", "督")]


@pytest.mark.slow
def test_a_typo_repeated_in_seventy_articles_is_reported_on_each(tmp_path: Path) -> None:
    """Copied from one draft into 70 articles (different sentences each), beside many correct
    articles: reported on every one of the 70 pages by the real ``zhaocuo run``."""
    topics = ["食品安全", "安全生产", "环境保护", "价格秩序", "工程质量", "校园安全", "消防安全"]
    routes: dict[str, Route] = {}
    links = []
    for i in range(70):
        path = f"/xw/typo{i}.html"
        routes[path] = Route(body=page(f"第{i}期工作动态", f"<p>第{i}次会议要求加强{topics[i % 7]}监笃检查，"
                                                          f"确保第{i}项任务落实到位。</p>"))
        links.append(path)
    for i in range(80):
        path = f"/xw/ok{i}.html"
        routes[path] = Route(body=page(f"第{i}期信息", f"<p>第{i}批次{topics[i % 7]}监督检查顺利完成，"
                                                       f"加强监督管理第{i}项。</p>"))
        links.append(path)
    routes["/"] = Route(body=page("示范县人民政府", "".join(f'<a href="{p}">{p}</a> ' for p in links), date=""))
    with LoopbackServer(routes) as srv:
        profile = write_profile(tmp_path, {"site": {"name": "示范县人民政府", "start_urls": [srv.url("/")]},
                                           "crawl": {"max_pages": 300, "check_external": False},
                                           "ipv6": {"enabled": False}})
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--as-of", "2024-06-01",
                       "--no-mail", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    findings = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    typo_pages = {f["url"].rsplit("/", 1)[1] for f in findings if f["audit"] == "typo" and f["text"] == "笃"}
    assert typo_pages == {f"typo{i}.html" for i in range(70)}
    assert not [f for f in findings if f["audit"] == "typo" and "/ok" in f["url"]]


@pytest.mark.slow
def test_build_lm_from_a_folder_and_use_it(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("\n".join(f"本镇第{i}次会议研究了砂坪湾水库的管护工作。" for i in range(50)),
                                encoding="gb18030")
    model = tmp_path / "district.klm"
    proc = run_cli("build-lm", "--out", str(model), "--from", str(docs), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert model.stat().st_size > 1000 and str(model) in proc.stdout
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "text": {"lm": str(model)}})
    proc = run_cli("check-text", "--config", str(profile), "-", input="各级政府要加强监笃。\n", timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]  # 1: errors found
    assert json.loads(proc.stdout)["errors"] == [{"start": 8, "text": "笃", "suggestion": "督", "audit": "typo"}]


@pytest.mark.parametrize("content", [None, b"not a language model"])
@pytest.mark.slow
def test_a_missing_or_damaged_model_stops_before_the_crawl(tmp_path: Path, content: bytes | None) -> None:
    model = tmp_path / "bad.klm"
    if content is not None:
        model.write_bytes(content)
    with LoopbackServer({"/": Route(body=page("首页", "<p>正文</p>"))}) as srv:
        profile = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]}, "text": {"lm": str(model)}})
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--no-mail", timeout=120)
        assert not srv.hits  # stopped before any request
    assert proc.returncode == 2
    assert "text.lm" in proc.stderr and "bad.klm" in proc.stderr


@pytest.mark.slow
def test_check_text_operating_point_flag(tmp_path: Path) -> None:
    text = "市人民政府办公厅关于印发工作方案的通之。\n"
    draft = run_cli("check-text", "-", input=text, timeout=120)
    audit = run_cli("check-text", "--operating-point", "audit", "-", input=text, timeout=120)
    assert json.loads(draft.stdout)["errors"] and json.loads(audit.stdout)["errors"] == []
