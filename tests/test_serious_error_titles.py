"""Serious errors: a leader's right name under a wrong title ("副区长王建国" when the profile
says 区长 王建国) is a 领导职务错误 (single veto) — and the look-alikes that are not: former
titles, no title, lists where each name has its own title, namesakes, longer forms of the right
title, titles the profile does not list, and a leader listed twice with two titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audits._models import Models
from audits._proofread import Proofreader
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.profile import load_profile

LEADERS = [
    {"title": "区长", "name": "王建国"},
    {"title": "副区长", "name": "李红梅"},
    {"title": "区委书记", "name": "张明远"},
    # Listed twice: both titles are right.
    {"title": "区委常委", "name": "赵志刚"},
    {"title": "常务副区长", "name": "赵志刚"},
    {"title": "区人大常委会主任", "name": "孙立"},
]


@pytest.fixture(scope="module")
def checker(proof_models: Models, tmp_path_factory: pytest.TempPathFactory) -> Proofreader:
    tmp = tmp_path_factory.mktemp("titles")
    profile = write_profile(tmp, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "leaders": LEADERS})
    return Proofreader(load_profile(profile), models=proof_models)


def _titles(checker: Proofreader, text: str) -> list[tuple[int, str, str]]:
    return [(e.start, e.text, e.suggestion) for e in checker.check(text)
            if e.audit == "serious_error" and e.rule == "leader_title"]


def test_a_deputy_title_on_the_head_is_flagged(checker: Proofreader) -> None:
    assert _titles(checker, "副区长王建国到辖区企业检查安全生产。") == [(0, "副区长王建国", "区长王建国")]


def test_the_head_title_on_a_deputy_is_flagged(checker: Proofreader) -> None:
    assert _titles(checker, "会上，区长李红梅通报了防汛工作。") == [(3, "区长李红梅", "副区长李红梅")]


def test_party_secretary_for_the_government_head_and_back_is_flagged(checker: Proofreader) -> None:
    assert _titles(checker, "区委书记王建国出席开工仪式。") == [(0, "区委书记王建国", "区长王建国")]
    assert _titles(checker, "区长张明远调研乡村振兴工作。") == [(0, "区长张明远", "区委书记张明远")]
    assert _titles(checker, "区委副书记张明远主持会议。") == [(0, "区委副书记张明远", "区委书记张明远")]


def test_a_title_written_after_the_name_is_checked_too(checker: Proofreader) -> None:
    assert _titles(checker, "王建国副区长讲话。") == [(0, "王建国副区长", "王建国区长")]
    assert _titles(checker, "王建国区长讲话。") == []


def test_a_space_or_colon_between_title_and_name_is_still_the_title(checker: Proofreader) -> None:
    assert _titles(checker, "副区长：王建国") == [(0, "副区长：王建国", "区长王建国")]


def test_a_table_row_of_names_then_titles_is_not_misread(checker: Proofreader) -> None:
    # Name-first rows joined with spaces: the title before 李红梅 is 王建国's.
    assert _titles(checker, "王建国 区长 李红梅 副区长 张明远 区委书记") == []
    assert _titles(checker, "王建国：区长 李红梅：副区长") == []
    assert _titles(checker, "区长 王建国 副区长 李红梅") == []
    assert _titles(checker, "副区长 王建国") == [(0, "副区长 王建国", "区长王建国")]


def test_rank_error_on_a_longer_organ_title(checker: Proofreader) -> None:
    assert _titles(checker, "区人大常委会副主任孙立出席。") == [(6, "副主任孙立", "区人大常委会主任孙立")]


def test_the_right_title_is_not_flagged(checker: Proofreader) -> None:
    assert _titles(checker, "区长王建国主持召开区政府常务会议。") == []
    assert _titles(checker, "副区长李红梅带队检查。") == []
    assert _titles(checker, "区委书记张明远讲话。") == []


def test_former_titles_are_named_on_purpose(checker: Proofreader) -> None:
    assert _titles(checker, "原副区长王建国已调任他职。") == []
    assert _titles(checker, "前任副区长王建国移交了工作。") == []
    assert _titles(checker, "时任副区长王建国参加了2019年的会议。") == []
    assert _titles(checker, "离任副区长王建国的经济责任审计报告。") == []


def test_a_proposed_title_in_an_appointment_notice_is_not_the_current_one(checker: Proofreader) -> None:
    assert _titles(checker, "拟任副区长王建国，男，汉族。") == []
    assert _titles(checker, "任命王建国为副区长。") == []             # the title stands after 为, not next to the name


def test_no_title_no_check(checker: Proofreader) -> None:
    assert _titles(checker, "王建国同志在会上讲话。") == []
    assert _titles(checker, "王建国指出，要压实责任。") == []


def test_each_name_in_a_list_has_its_own_title(checker: Proofreader) -> None:
    assert _titles(checker, "区长王建国、副区长李红梅出席会议。") == []
    assert _titles(checker, "区长王建国主持，副区长李红梅出席。") == []
    # The same list with the titles swapped: both are wrong, each against its own name.
    assert _titles(checker, "副区长王建国、区长李红梅出席会议。") == [
        (0, "副区长王建国", "区长王建国"), (7, "区长李红梅", "副区长李红梅")]


def test_a_namesake_or_another_person_of_the_same_surname_is_not_checked(checker: Proofreader) -> None:
    assert _titles(checker, "副区长王建军调研教育工作。") == []
    assert _titles(checker, "副区长王国平出席。") == []
    # Two-character leader 孙立 inside a longer name 孙立新: another person.
    assert _titles(checker, "区人大常委会副主任孙立新出席。") == []


def test_longer_forms_of_the_right_title_are_right(checker: Proofreader) -> None:
    # "区人民政府区长" ends with the profile's 区长; "代区长" (acting, before the election) is the
    # same post — accepted on purpose (see audits._serious).
    assert _titles(checker, "区人民政府区长王建国签发命令。") == []
    assert _titles(checker, "代区长王建国作政府工作报告。") == []


def test_titles_the_profile_does_not_list_are_not_contradictions(checker: Proofreader) -> None:
    # The 区长 is usually also 区委副书记 and 区政府党组书记: unlisted, not wrong.
    assert _titles(checker, "区委副书记王建国出席。") == []
    assert _titles(checker, "区委副书记、区长王建国出席。") == []
    assert _titles(checker, "区长、区政府党组书记王建国出席。") == []


def test_a_leader_listed_twice_has_both_titles_right(checker: Proofreader) -> None:
    assert _titles(checker, "区委常委赵志刚出席。") == []
    assert _titles(checker, "常务副区长赵志刚出席。") == []
    assert _titles(checker, "副区长赵志刚出席。") == []          # the shorter form of 常务副区长
    assert _titles(checker, "区长赵志刚出席。") == [(0, "区长赵志刚", "常务副区长赵志刚")]


def test_site_leader_pages_do_not_set_titles(proof_models: Models, tmp_path: Path) -> None:
    # A site 领导信息 line may give one title of several: only the profile's titles are checked.
    from zhaocuo.core.profile import Leader

    checker = Proofreader(None, leaders=[Leader(title="副书记", name="周海涛")], models=proof_models)
    assert [e for e in checker.check("区长周海涛出席。") if e.audit == "serious_error"] == []


@pytest.mark.slow
def test_check_text_reports_the_wrong_title_with_the_right_one(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "leaders": LEADERS})
    proc = run_cli("check-text", "-", "--config", str(profile), timeout=120,
                   input="副区长王建国出席会议。\n区长王建国出席会议。\n原副区长王建国出席会议。\n")
    assert proc.returncode == 1, proc.stderr  # errors found
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert out[0]["errors"] == [{"start": 0, "text": "副区长王建国", "suggestion": "区长王建国",
                                 "audit": "serious_error"}]
    assert out[1]["errors"] == [] and out[2]["errors"] == []


def _page(title: str, body: str, day: str = "2024-03-05") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>发布日期：{day}</p>{body}</body></html>")


@pytest.mark.slow
def test_serious_error_audit_flags_a_wrong_title_on_a_crawled_page(tmp_path: Path) -> None:
    routes = {
        "/": Route(body=_page("首页", '<a href="/news/1.html">一</a> <a href="/news/2.html">二</a> '
                                     '<a href="/news/2023.html">旧</a>')),
        # Before his appointment (since 2024-01-20) he was 副区长: the archive says so rightly.
        "/news/2023.html": Route(body=_page("工作动态", "<p>5月9日，副区长王建国调研春耕生产工作。</p>",
                                            "2023-05-10")),
        "/news/1.html": Route(body=_page("工作动态", "<p>3月4日，副区长王建国到辖区企业检查安全生产工作。</p>")),
        "/news/2.html": Route(body=_page("工作动态", "<p>3月5日，区长王建国主持召开会议，副区长李红梅出席。</p>"
                                         "<p>原副区长王建国的分工已调整。</p>")),
    }
    with LoopbackServer(routes) as srv:
        profile = write_profile(tmp_path, {
            "site": {"name": "示例区人民政府", "start_urls": [srv.url("/")]},
            "crawl": {"max_pages": 10, "check_external": False},
            "ipv6": {"enabled": False},
            "leaders": [{"title": "区长", "name": "王建国", "since": "2024-01-20"}, *LEADERS[1:]],
        })
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--as-of", "2024-06-01",
                       "--no-mail", timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ("GET", "/news/2023.html") in srv.hits  # the archived page was read, and stayed quiet
    found = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
             if x.strip()]
    titles = [f for f in found if f["audit"] == "serious_error"]
    assert [(f["url"].rsplit("/", 1)[-1], f["text"], f["suggestion"], f["severity"]) for f in titles] == [
        ("1.html", "副区长王建国", "区长王建国", "veto")]
    assert "应为“区长王建国”" in titles[0]["message"]


def test_another_levels_head_of_the_same_name_is_left_alone(checker: Proofreader) -> None:
    # "县委书记王建国" beside the profile's 区长 王建国: a county's secretary, likely a namesake.
    assert _titles(checker, "邻县县委书记王建国一行来访。") == []
    assert _titles(checker, "市长王建国出席。") == []


def test_pages_older_than_the_leaders_appointment_are_not_title_checked(proof_models: Models, tmp_path: Path) -> None:
    from datetime import date

    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "leaders": [
        {"title": "区长", "name": "王建国", "since": "2024-01-20"}]})
    checker = Proofreader(load_profile(profile), models=proof_models)
    text = "副区长王建国到辖区企业检查安全生产。"
    # In 2023 he was 副区长: an archived news page says so rightly.
    assert _titles(checker, text) == [(0, "副区长王建国", "区长王建国")]       # undated: current text
    assert [e.text for e in checker.check(text, page_date=date(2023, 6, 1)) if e.rule == "leader_title"] == []
    assert [e.text for e in checker.check(text, page_date=date(2024, 3, 1)) if e.rule == "leader_title"] == [
        "副区长王建国"]


def test_a_bad_since_date_names_the_key(tmp_path: Path) -> None:
    from zhaocuo.core.profile import ProfileError

    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "leaders": [
        {"title": "区长", "name": "王建国", "since": "2024年1月"}]})
    with pytest.raises(ProfileError, match=r"leaders\[0\]\.since"):
        load_profile(profile)


def test_a_run_of_three_titles_is_read_to_its_start(checker: Proofreader) -> None:
    # The right title is the first of three: the whole run belongs to the name.
    assert _titles(checker, "区长、区委副书记、区政府党组书记王建国出席。") == []
    assert _titles(checker, "区委常委、区委副书记、副区长王建国出席。") == [(11, "副区长王建国", "区长王建国")]
