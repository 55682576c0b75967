"""[site] production_url: the staging origin's URLs are written as production's, everywhere a
finding holds one, and only where the origin really ends."""

from __future__ import annotations

from zhaocuo.core.finding import Finding
from zhaocuo.core.urlmap import OriginMap

M = OriginMap.for_profile("http://staging.example.gov.cn:8081/", "https://www.example.gov.cn")


def test_the_staging_origin_becomes_production_s_and_back() -> None:
    assert M is not None
    assert M.to_production("http://staging.example.gov.cn:8081/a/b.html?x=1") == "https://www.example.gov.cn/a/b.html?x=1"
    assert M.to_production("http://staging.example.gov.cn:8081") == "https://www.example.gov.cn"
    assert M.to_staging("https://www.example.gov.cn/a.html") == "http://staging.example.gov.cn:8081/a.html"


def test_other_origins_and_look_alikes_stay() -> None:
    assert M is not None
    for url in ("http://staging.example.gov.cn:80810/a.html", "http://staging.example.gov.cn:8081.evil.cn/",
                "https://staging.example.gov.cn:8081/", "http://other.gov.cn/?u=staging.example.gov.cn"):
        assert M.to_production(url) == url


def test_every_url_bearing_field_of_a_finding_is_mapped_and_the_id_follows() -> None:
    assert M is not None
    s, p = "http://staging.example.gov.cn:8081", "https://www.example.gov.cn"
    staged = Finding(audit="dead_link", severity="medium", url=s + "/a.html", target=s + "/gone.html",
                     message=f"页面中的链接（{s}/gone.html）无法访问。", evidence=f"{s}/gone.html",
                     extra={"final_url": s + "/gone.html", "redirects": [s + "/old.html"]})
    prod = Finding(audit="dead_link", severity="medium", url=p + "/a.html", target=p + "/gone.html", message="")
    M.finding(staged)
    assert staged.id == prod.id
    assert s not in repr(staged) and staged.extra["redirects"] == [p + "/old.html"]


def test_a_bare_host_key_is_mapped_when_the_origin_has_no_port() -> None:
    m = OriginMap.for_profile("https://stg.example.gov.cn/", "https://www.example.gov.cn")
    assert m is not None
    f = Finding(audit="ipv6", severity="veto", url="https://stg.example.gov.cn/", key="stg.example.gov.cn", message="")
    assert m.finding(f).key == "www.example.gov.cn"


def test_no_map_without_production_url_or_for_the_same_origin() -> None:
    assert OriginMap.for_profile("http://a.gov.cn/", "") is None
    assert OriginMap.for_profile("http://A.gov.cn:80/", "http://a.gov.cn") is None
