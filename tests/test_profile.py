from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from zhaocuo.core.profile import ProfileError, load_profile
from zhaocuo.core.units import unit_for


def test_profile_loads_contract_keys(tmp_path: Path) -> None:
    path = write_profile(tmp_path, {
        "site": {"name": "临淄区人民政府", "start_urls": ["http://www.example.gov.cn/"]},
        "crawl": {"render_js": ["/xxgk/zfgs/"], "max_pages": 50},
        "dns": {"nameservers": ["127.0.0.1:5353"]},
        "units": [{"name": "区教体局", "paths": ["/bm/jyj/"], "email": "jyj@example.gov.cn"},
                  {"name": "区政府办公室", "paths": ["/"]}],
        "catalog": [{"name": "政府信息公开年报", "max_age_days": 365, "unit": "区政府办公室"}],
        "newmedia": [{"name": "临淄发布", "url": "https://example.org/account/page"}],
        "leaders": [{"title": "区长", "name": "王建国"}],
        "mail": {"smtp": "smtp.example.gov.cn:25", "sender": "z@example.gov.cn", "office": ["gkb@example.gov.cn"]},
    })
    p = load_profile(path)
    assert p.site.allowed_hosts == ["www.example.gov.cn"]  # defaults to the start URLs' hosts
    assert p.crawl.max_pages == 50 and p.crawl.render_js == ["/xxgk/zfgs/"]
    assert p.units[0].name == "区教体局" and p.leaders[0].name == "王建国"
    assert p.mail is not None and p.mail.office == ["gkb@example.gov.cn"]
    assert p.host_allowed("WWW.example.gov.cn") and not p.host_allowed("other.gov.cn")


def test_allowed_hosts_scope_by_host_and_port(tmp_path: Path) -> None:
    """Plain entries are crawled on the start URLs' ports and 80/443; "host:port" names another."""
    p = load_profile(write_profile(tmp_path, {"site": {
        "start_urls": ["http://www.a.gov.cn:8080/", "https://www.a.gov.cn/"],
        "allowed_hosts": ["www.a.gov.cn", "zw.a.gov.cn", "www.a.gov.cn:9000", "[::1]:8443"]}}))
    assert p.url_allowed("http://WWW.a.gov.cn:8080/x") and p.url_allowed("http://www.a.gov.cn/x")
    assert p.url_allowed("https://zw.a.gov.cn/") and p.url_allowed("http://zw.a.gov.cn:8080/")
    assert p.url_allowed("http://www.a.gov.cn:9000/") and not p.url_allowed("http://zw.a.gov.cn:9000/")
    assert not p.url_allowed("http://www.a.gov.cn:8081/admin/") and not p.url_allowed("http://other.gov.cn/")
    assert p.url_allowed("https://[::1]:8443/") and not p.url_allowed("http://[::1]/")
    assert p.host_allowed("::1") and not p.url_allowed("http://www.a.gov.cn:99999/")
    with pytest.raises(ProfileError, match=r"site.allowed_hosts\[0\]"):
        load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://a.gov.cn/"],
                                                        "allowed_hosts": ["a.gov.cn:http"]}}))


@pytest.mark.parametrize("data, key", [
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "crawl": {"max_page": 5}}, "crawl.max_page"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "crawl": {"max_pages": "many"}}, "crawl.max_pages"),
    ({"site": {"start_urls": ["ftp://a.gov.cn/"]}}, "site.start_urls[0]"),
    ({"site": {"start_urls": []}}, "site.start_urls"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "units": [{"name": "x", "paths": ["bm/"]}]}, "units[0].paths[0]"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "sitee": {}}, "sitee"),
    # Mistakes across keys (each was once accepted silently).
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "units": [{"name": "区教体局", "email": "jyj.a.gov.cn"}]},
     "units[0].email"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "units": [{"name": "区教体局"}, {"name": "区教体局"}]},
     "units[1].name"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "mail": {"smtp": "smtp.a.gov.cn", "sender": "z@a.gov.cn"}},
     "mail.smtp"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "mail": {"smtp": "smtp.a.gov.cn:smtp", "sender": "z@a.gov.cn"}},
     "mail.smtp"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]}, "mail": {"smtp": "smtp.a.gov.cn:25", "sender": "zhaocuo"}},
     "mail.sender"),
    ({"site": {"start_urls": ["http://a.gov.cn/"]},
      "mail": {"smtp": "smtp.a.gov.cn:25", "sender": "z@a.gov.cn", "office": ["gkb@a.gov.cn", "办公室"]}},
     "mail.office[1]"),
])
def test_profile_error_names_file_and_key(tmp_path: Path, data: dict, key: str) -> None:
    path = write_profile(tmp_path, data)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert err.value.key == key
    assert str(path) in str(err.value) and key in str(err.value)


@pytest.mark.slow
def test_cli_exits_2_with_one_line_for_a_bad_profile(tmp_path: Path) -> None:
    path = write_profile(tmp_path, {"site": {"start_urls": ["http://a.gov.cn/"]}, "crawl": {"max_pages": 0}})
    res = run_cli("audit", "--config", str(path), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "crawl.max_pages" in res.stderr
    missing = run_cli("run", "--config", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


def test_unit_is_longest_matching_prefix(tmp_path: Path) -> None:
    path = write_profile(tmp_path, {
        "site": {"start_urls": ["http://a.gov.cn/"]},
        "units": [{"name": "区政府办公室", "paths": ["/"]}, {"name": "区教体局", "paths": ["/bm/jyj/"]},
                  {"name": "区教体局学校科", "paths": ["/bm/jyj/xx/"]},
                  {"name": "区住建局", "paths": ["http://zjj.a.gov.cn/"]}],
    })
    units = load_profile(path).units
    assert unit_for("http://a.gov.cn/bm/jyj/xx/1.html", units) == "区教体局学校科"
    assert unit_for("http://a.gov.cn/bm/jyj/2.html", units) == "区教体局"
    assert unit_for("http://a.gov.cn/bm/jyjx/2.html", units) == "区政府办公室"
    assert unit_for("http://zjj.a.gov.cn/x.html", units) == "区住建局"


@pytest.mark.slow
def test_a_unit_no_units_entry_defines_loads_with_a_note_naming_the_key(tmp_path: Path) -> None:
    """A catalogue item or an account may belong to an office with no pages of its own (the
    outside contract's own example profile does: 区政府办公室 owns 政府信息公开年报): allowed,
    never silent — the note names the key and says the findings reach the office summary only."""
    path = write_profile(tmp_path, {"site": {"start_urls": ["http://a.gov.cn/"]}, "units": [{"name": "区教体局"}],
                                    "catalog": [{"name": "年报", "unit": "区政府办公室"}],
                                    "newmedia": [{"url": "https://a.gov.cn/wb", "unit": "区融媒体中心"}]})
    profile = load_profile(path)
    assert [n.split(": ")[1] for n in profile.notes] == ["catalog[0].unit", "newmedia[0].unit"]
    assert all("办公室汇总" in n for n in profile.notes)
    proc = run_cli("doctor", "--config", str(path), "--skip-network", "--skip-browser")
    assert "catalog[0].unit" in proc.stderr + proc.stdout


def test_the_outside_contracts_example_profile_loads(tmp_path: Path) -> None:
    """docs/profile.md's first example is the contract's: every key there must keep loading."""
    import re

    doc = (Path(__file__).resolve().parent.parent / "docs" / "profile.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- contract-profile -->\n```toml\n(.*?)```", doc, re.S).group(1)
    path = tmp_path / "contract.toml"
    path.write_text(example, encoding="utf-8")
    profile = load_profile(path)
    assert profile.site.start_urls and profile.units and profile.catalog
