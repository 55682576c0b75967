"""The thorough engine's sound-alike pass (audits/_soundalike.py): input-method slips that are
real words ("平价" typed for 评价) are found when ``[text] thorough = true`` or
``check-text --thorough`` asks for them, correct text full of homophones is left alone, and a
damaged model file is an error that names it. Sentences written for these tests, not taken from
any benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audits import _soundalike
from audits._models import Models
from audits._proofread import Proofreader
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from zhaocuo.core.context import AuditContext

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)


@pytest.fixture(scope="module")
def default(proof_models: Models) -> Proofreader:
    return Proofreader(None, models=proof_models)


@pytest.fixture(scope="module")
def thorough(proof_models: Models) -> Proofreader:
    return Proofreader(None, thorough=True, models=proof_models)


def _typos(checker: Proofreader, text: str) -> list[tuple[int, str, str, str]]:
    return [(e.start, e.text, e.suggestion, e.rule) for e in checker.check(text) if e.audit == "typo"]


# Each slip makes real words or a plausible piece, so only the comparison with what sounds
# (or looks) the same finds it.
SLIPS = [
    ("建立健全干部考核平价机制，激励干部担当作为。", (8, "平", "评", "soundalike")),
    ("深入学习贯彻习近平总书记重要讲话经身。", (16, "经身", "精神", "soundalike")),
]


@pytest.mark.parametrize(("text", "expected"), SLIPS)
def test_thorough_finds_input_method_slips_the_default_engine_misses(
        default: Proofreader, thorough: Proofreader, text: str, expected: tuple[int, str, str, str]) -> None:
    assert _typos(default, text) == []
    assert _typos(thorough, text) == [expected]


@pytest.mark.parametrize("text", [
    # the right words of the slips above, and their homophones where they are right
    "建立健全干部考核评价机制，激励干部担当作为。",
    "深入学习贯彻习近平总书记重要讲话精神。",
    "扎实推进乡村振兴，不断提高农民收入。",
    "开设平价商店，稳定节日期间蔬菜价格。",
    "党员干部不得收人钱财，不得接受宴请。",
    "村民自治是基层群众自治制度的重要内容。",
    "企业资质审查工作由区住建局负责。",
    "区委书记主持召开专题会议，研究部署下一阶段重点工作。",
    "本次活动共接待群众咨询三百余人次，发放宣传资料两千余份。",
    "加强食品安全监管，保障人民群众舌尖上的安全。",
    "要坚持问题导向，着力解决群众反映强烈的突出问题。",
    "他在工作中认真负责，任劳任怨，受到群众好评。",
    "副区长李晓琦带队督导安全生产工作。",
    # website furniture: 置顶 is a pinned post, not 制定
    "【置顶】示范区部门动态栏目发布规范",
    "【置顶】关于开展安全生产大检查的通知",
])
def test_correct_text_is_left_alone_by_the_thorough_engine(thorough: Proofreader, text: str) -> None:
    assert _typos(thorough, text) == []


def test_the_profiles_ignore_list_silences_the_pass_too(proof_models: Models, tmp_path: Path) -> None:
    from zhaocuo.core.profile import load_profile

    data = {"site": {"start_urls": ["http://www.test.gov.cn/"]}, "text": {"thorough": True}}
    flagging = load_profile(write_profile(tmp_path, data, "a.toml"))
    quiet = load_profile(write_profile(tmp_path, {**data, "text": {"thorough": True, "ignore": ["考核平价"]}}, "b.toml"))
    assert _typos(Proofreader(flagging, models=proof_models), SLIPS[0][0]) == [SLIPS[0][1]]
    assert _typos(Proofreader(quiet, models=proof_models), SLIPS[0][0]) == []


def test_the_sites_own_frequent_terms_are_never_changed(proof_models: Models) -> None:
    # A site that writes "考核平价" on many pages means it (a name of its own, as 临缁村 in the
    # site-vocabulary tests): the pass leaves it alone there.
    checker = Proofreader(None, site_freq={"考核平价": 40}, thorough=True, models=proof_models)
    assert _typos(checker, SLIPS[0][0]) == []


def test_settled_positions_are_never_changed(proof_models: Models, thorough: Proofreader) -> None:
    run = "建立健全干部考核平价机制"
    found = list(_soundalike.find(run, thorough.lex, thorough.charlm, thorough._score, set(), frozenset(),
                                  thorough._soundalike_pass))
    assert [p.changes for p in found] == [((8, "评"),)]
    assert list(_soundalike.find(run, thorough.lex, thorough.charlm, thorough._score, set(), {7, 8},
                                  thorough._soundalike_pass)) == []
    # what the proofreader settles: curated website terms, the site's terms, the profile's words
    assert thorough._settled_positions("置顶通知") == {0, 1}  # 置顶: config/lexicon/web_terms.txt
    assert thorough._settled_positions(run) == set()
    site = Proofreader(None, site_freq={"考核平价": 40}, thorough=True, models=proof_models)
    assert site._settled_positions(run) == {6, 7, 8, 9}


def test_a_tree_model_sums_its_leaves_on_the_path_each_value_takes() -> None:
    # one tree: feature 0 <= 1.5 -> leaf -1.0, else feature 1 <= 0 -> leaf 0.5, else leaf 2.0
    tree = ([0, -1, 1, -1, -1], [1.5, 0.0, 0.0, 0.0, 0.0], [1, -1, 3, -1, -1], [2, -1, 4, -1, -1],
            [0.0, -1.0, 0.0, 0.5, 2.0])
    model = _soundalike.TreeModel(0.25, (tree, tree), 0.5)
    assert model.log_odds((1.0, 9.0)) == pytest.approx(0.25 - 2.0)
    assert model.log_odds((1.5, 9.0)) == pytest.approx(0.25 - 2.0)  # at the threshold: left
    assert model.log_odds((3.0, -1.0)) == pytest.approx(0.25 + 1.0)
    assert model.log_odds((3.0, 1.0)) == pytest.approx(0.25 + 4.0)
    assert model.probability((3.0, 1.0)) > 0.98 > 0.15 > model.probability((1.0, 0.0))


def test_the_shipped_model_reads_and_matches_the_features() -> None:
    model = _soundalike.read_model()
    assert 0 < model.threshold < 1 and len(model.trees) >= 10
    assert max(max(t[0]) for t in model.trees) < len(_soundalike.FEATURES)


@pytest.mark.parametrize(("damage", "says"), [
    (lambda d: "{not json", "soundalike.json"),
    (lambda d: json.dumps({**d, "features": d["features"][:-1]}), "features"),
    (lambda d: json.dumps({**d, "threshold": 1.5}), "threshold"),
    (lambda d: json.dumps({**d, "trees": [{**d["trees"][0], "left": [10**6] * len(d["trees"][0]["left"])}]}),
     "outside"),
    (lambda d: json.dumps({**d, "trees": [{**d["trees"][0], "left": [0] * len(d["trees"][0]["left"])}]}),
     "follow"),
    (lambda d: json.dumps({**d, "trees": [{**d["trees"][0], "right": [-1] * len(d["trees"][0]["right"])}]}),
     "lacks a child"),
])
def test_a_damaged_model_file_is_an_error_naming_it(tmp_path: Path, damage, says: str) -> None:
    data = json.loads(_soundalike.MODEL_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "soundalike.json"
    path.write_text(damage(data), encoding="utf-8")
    with pytest.raises(RuntimeError, match=says) as info:
        _soundalike.read_model(path)
    assert str(path) in str(info.value)


def test_check_text_thorough_by_flag_and_by_profile(tmp_path: Path) -> None:
    text = SLIPS[1][0] + "\n"
    plain = run_cli("check-text", "-", input=text, timeout=120)
    flagged = run_cli("check-text", "--thorough", "-", input=text, timeout=120)
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://www.test.gov.cn/"]}, "text": {"thorough": True}})
    by_profile = run_cli("check-text", "--config", str(profile), "-", input=text, timeout=120)
    assert plain.returncode == 0, plain.stderr  # like a linter: 0 when clean, 1 when it finds errors
    for proc in (flagged, by_profile):
        assert proc.returncode == 1, proc.stderr
    assert json.loads(plain.stdout)["errors"] == []
    expected = [{"start": 16, "text": "经身", "suggestion": "精神", "audit": "typo"}]
    assert json.loads(flagged.stdout)["errors"] == expected
    assert json.loads(by_profile.stdout)["errors"] == expected


def test_a_damaged_model_stops_a_thorough_run_before_the_crawl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhaocuo.app import cli
    from zhaocuo.core.profile import ProfileError, load_profile

    damaged = tmp_path / "soundalike.json"
    damaged.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(_soundalike, "MODEL_PATH", damaged)
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]},
                                                    "text": {"thorough": True}}))
    with pytest.raises(ProfileError) as err:
        cli._preflight(profile)
    assert "text.thorough" in str(err.value) and str(damaged) in str(err.value)
    # without thorough the model is not needed, so nothing stops the run
    cli._preflight(load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}},
                                              "plain.toml")))


def test_summary_says_which_engine_read_the_site(tmp_path: Path) -> None:
    from datetime import date

    from audits import _maintext
    from zhaocuo.core.profile import load_profile
    from zhaocuo.core.store import Page, SQLiteStore

    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    text = SLIPS[0][0]
    store.add_page(run_id, Page(url="http://www.test.gov.cn/a.html", status=200, content_type="text/html",
                                title="通知", text=text, html=f"<html><body><p>{text}</p></body></html>"))
    store.finish_run(run_id, "complete")
    data = {"site": {"start_urls": ["http://www.test.gov.cn/"]}, "store": {"path": str(tmp_path / "s.sqlite")}}
    for thorough, engine, flagged in ((False, "default", []), (True, "thorough", ["平"])):
        profile = load_profile(write_profile(tmp_path, {**data, "text": {"thorough": thorough}}, f"{engine}.toml"))
        scan = _maintext.scan(AuditContext(store.crawl(run_id), profile, date(2026, 11, 27)))
        assert scan.stats()["engine"] == engine
        assert [e.text for _, errors in scan.errors for e in errors if e.audit == "typo"] == flagged
