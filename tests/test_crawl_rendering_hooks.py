"""The crawl calls the rendering hooks (crawler.render, real Chromium through
scrapy-playwright): render_js prefixes are fetched through the browser, and a raw page that
looks script-built is fetched again rendered; rendered pages are stored with rendered=True
and their script-built links are followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.crawling import crawl_site, page
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

APP_JS = ("document.addEventListener('DOMContentLoaded', function () {"
          " document.getElementById('list').innerHTML = '<a href=\"/dyn.html\">动态链接</a><p>脚本生成的内容</p>'; });")
SHELL = ("<html><head><title>{title}</title><script src='/app.js'></script></head>"
         "<body><div id='list'></div></body></html>")


def test_script_built_pages_are_rendered_and_stored_as_rendered(tmp_path: Path) -> None:
    routes = {"/": Route(body=page("首页", "<a href='/app.html'>应用</a><a href='/xxgk/list.html'>公开</a>")),
              "/app.html": Route(body=SHELL.format(title="自动渲染")),
              "/xxgk/list.html": Route(body=SHELL.format(title="按配置渲染")),
              "/app.js": Route(body=APP_JS, content_type="application/javascript"),
              "/dyn.html": Route(body=page("动态页"))}
    with LoopbackServer(routes) as srv:
        crawl, stats = crawl_site(tmp_path, srv.url("/"), crawl={"auto_render_share": 1.0, "render_js": ["/xxgk/"]})
        gets = [p for m, p in srv.hits if m == "GET"]
    auto = crawl.page(srv.url("/app.html"))
    configured = crawl.page(srv.url("/xxgk/list.html"))
    assert auto.rendered and "脚本生成的内容" in auto.text
    assert configured.rendered and "脚本生成的内容" in configured.text
    assert gets.count("/app.html") == 2  # raw, then through the browser
    assert gets.count("/xxgk/list.html") == 1  # a render_js prefix goes to the browser at once
    assert srv.url("/dyn.html") in crawl.fetched_urls()  # a link that only exists after scripts ran
    assert not crawl.page(srv.url("/")).rendered
    assert stats["auto_rendered"] == 1 and stats["pages_crawled"] == crawl.page_count() == 4
