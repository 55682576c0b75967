"""A small site of columns written straight into a store (no server): navigation, list pages with dated rows, articles, and the audit context over it. Shared by the column, catalogue and policy tests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.support.profiles import write_profile
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Crawl, Link, Page, SQLiteStore

BASE = "http://www.test.gov.cn"
AS_OF = date(2026, 11, 27)
NAV = [("首页", "/"), ("工作动态", "/gzdt/"), ("通知公告", "/tzgg/"), ("人事信息", "/rsxx/"), ("政策文件", "/zcwj/"),
       ("网站地图", "/sitemap.html"), ("无障碍", "/wza/")]


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def layout(body: str, title: str = "", crumbs: list[tuple[str, str]] | None = None, nav=None) -> str:
    """A page of the test site: header navigation, breadcrumb, body, footer."""
    nav_html = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in (nav or NAV))
    crumb_html = ""
    if crumbs is not None:
        parts = ['<a href="/">首页</a>'] + [f'<a href="{h}">{n}</a>' for n, h in crumbs]
        crumb_html = '<div class="position">当前位置：' + " &gt; ".join(parts) + "</div>"
    return (f"<html><head><title>{title}_测试区人民政府</title></head><body>"
            f'<div class="nav"><ul>{nav_html}</ul></div>{crumb_html}<div class="main">{body}</div>'
            "<div class=\"footer\">主办：测试区人民政府办公室 地址：测试路1号 电话：0533-1234567</div></body></html>")


def list_page(name: str, href: str, rows: list[tuple[str, str, str]], pager: str = "") -> str:
    """A column list page: rows of (link, title, date)."""
    lis = "".join(f'<li><a href="{u}" title="{t}">{t}</a><span>{d}</span></li>' for u, t, d in rows)
    return layout(f'<ul class="list">{lis}</ul>{pager}', name, [(name, href)])


def article(name: str, href: str, title: str, published: str, extra: str = "") -> str:
    return layout(f"<h1>{title}</h1><div class=\"info\">发布日期：{published}</div>"
                  f"<div class=\"content\"><p>{title}的正文内容，详见附件。{extra}</p></div>", title, [(name, href)])


_A = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", re.S)


def build(tmp_path: Path, pages: dict[str, str], profile_extra: dict[str, Any] | None = None,
          statuses: dict[str, int] | None = None, rendered: set[str] | None = None,
          stats: dict[str, Any] | None = None) -> tuple[Crawl, Profile]:
    """A completed crawl run holding ``pages`` (path → html) and their links."""
    data: dict[str, Any] = {"site": {"name": "测试区人民政府", "start_urls": [BASE + "/"]}}
    data.update(profile_extra or {})
    tmp_path.mkdir(parents=True, exist_ok=True)
    profile = load_profile(write_profile(tmp_path, data))
    store = SQLiteStore(tmp_path / "crawl.sqlite")
    run_id, _ = store.begin_run()
    for depth, (path, html) in enumerate(pages.items()):
        url = BASE + path
        title = re.search(r"<title>(.*?)</title>", html)
        text = re.sub(r"<[^>]+>", " ", html)
        store.add_page(run_id, Page(url=url, status=(statuses or {}).get(path, 200), title=title.group(1) if title else "",
                                    text=text, html=html, depth=min(depth, 2), rendered=path in (rendered or set())))
        links = [Link(url, BASE + h if h.startswith("/") else h, re.sub(r"<[^>]+>", "", a).strip())
                 for h, a in _A.findall(html)]
        store.add_links(run_id, links)
    store.finish_run(run_id, "complete", stats or {})
    return store.crawl(), profile


def homepage(rows: list[tuple[str, str, str]]) -> str:
    lis = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in rows)
    return layout(f'<div class="news"><h2>要闻</h2><ul>{lis}</ul></div>', "首页")


