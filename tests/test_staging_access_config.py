"""The profile keys for reaching staging: secrets only from the environment, named but never
shown in a message; headers only to the site's own hosts; a staging profile's own store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.access import RedactingFormatter, SiteAccess
from crawler.middlewares import strip_userinfo
from tests.support.profiles import write_profile
from zhaocuo.core.profile import ProfileError, load_profile

AUTH = {"auth_user_env": "STG_USER", "auth_password_env": "STG_PASS", "headers": {"X-Env": "staging"},
        "headers_env": {"X-Token": "STG_TOKEN"}}
ENV = {"STG_USER": "ci-user", "STG_PASS": "pa55-word-x", "STG_TOKEN": "tok-123456"}


def _profile(tmp: Path, site: dict | None = None, crawl: dict | None = None) -> Path:
    return write_profile(tmp, {"site": {"start_urls": ["https://stg.example.gov.cn/"], **(site or {})},
                               "crawl": crawl or {}})


def test_headers_go_to_the_site_s_own_hosts_only(tmp_path: Path) -> None:
    access = SiteAccess(load_profile(_profile(tmp_path, crawl=AUTH)), env=ENV)
    own = access.headers_for("https://stg.example.gov.cn:8443/a.html")
    assert own["Authorization"] == "Basic Y2ktdXNlcjpwYTU1LXdvcmQteA==" and own["X-Token"] == "tok-123456"
    assert access.headers_for("https://www.other.gov.cn/") == {}
    headers = {"authorization": "Basic stale", "x-env": "x", "accept": "*/*"}
    access.apply("https://www.other.gov.cn/", headers)  # a redirect that left the site loses them
    assert headers == {"accept": "*/*"}
    assert "pa55" not in repr(access) and "tok-" not in repr(access)


def test_a_missing_variable_names_the_key_and_the_variable_only(tmp_path: Path) -> None:
    profile = load_profile(_profile(tmp_path, crawl=AUTH))
    with pytest.raises(ProfileError) as err:
        SiteAccess(profile, env={"STG_USER": "ci-user", "STG_TOKEN": "tok-123456"})
    assert "crawl.auth_password_env" in str(err.value) and "STG_PASS" in str(err.value)
    assert "ci-user" not in str(err.value)


def test_log_lines_are_scrubbed(tmp_path: Path) -> None:
    access = SiteAccess(load_profile(_profile(tmp_path, crawl=AUTH)), env=ENV)
    record = logging.LogRecord("zhaocuo", logging.ERROR, __file__, 1, "sent %s", (access.headers_for(
        "https://stg.example.gov.cn/"),), None)
    line = RedactingFormatter(access.secrets).format(record)
    assert "pa55-word-x" not in line and "tok-123456" not in line and "Y2ktdXNlcjpwYTU1LXdvcmQteA==" not in line
    assert "***" in line


@pytest.mark.parametrize(("site", "crawl", "key"), [
    ({"start_urls": ["https://ci-user:pa55-word-x@stg.example.gov.cn/"]}, {}, "site.start_urls[0]"),
    ({"production_url": "https://www.example.gov.cn/xxgk/"}, {}, "site.production_url"),
    ({}, {"auth_user_env": "STG_USER"}, "crawl.auth_password_env"),
    ({}, {"auth_user_env": "not a name", "auth_password_env": "P"}, "crawl.auth_user_env"),
    ({}, {"headers": {"Authorization": "Basic x"}}, "crawl.headers.Authorization"),
    ({}, {"headers": {"X-A": "a\nb"}}, "crawl.headers.X-A"),
    ({}, {"ca_file": "missing.pem"}, "crawl.ca_file"),
])
def test_bad_access_keys_stop_with_the_key_named(tmp_path: Path, site: dict, crawl: dict, key: str) -> None:
    with pytest.raises(ProfileError) as err:
        load_profile(_profile(tmp_path, site, crawl))
    assert key in str(err.value) and "pa55-word-x" not in str(err.value)


def test_a_ca_file_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ProfileError, match="crawl.ca_file"):
        load_profile(_profile(tmp_path, crawl={"ca_file": "ca.pem"}))


def test_a_staging_profile_never_shares_production_s_default_store(tmp_path: Path) -> None:
    prod = tmp_path / "prod" / "site.toml"
    staging = tmp_path / "staging" / "site.toml"
    for path, extra in ((prod, ""), (staging, 'production_url = "https://www.example.gov.cn"\n')):
        path.parent.mkdir()
        path.write_text(f'[site]\nname = "示范区人民政府"\nstart_urls = ["https://stg.example.gov.cn/"]\n{extra}',
                        encoding="utf-8")
    a, b = load_profile(prod).default_store_path(), load_profile(staging).default_store_path()
    assert a != b and "staging" in b.name


def test_credentials_in_a_redirect_location_are_dropped() -> None:
    assert strip_userinfo("http://u:p@host:81/a?b=c@d") == "http://host:81/a?b=c@d"
    assert strip_userinfo("https://host/a@b") == "https://host/a@b"
