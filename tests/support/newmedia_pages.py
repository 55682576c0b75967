"""Loopback pages that mimic the public structure of each new-media platform (no real account).

Every page is a frame whose list or article is built in the browser from JSON fetched with
``fetch()`` — as the platforms do — so only a rendered page shows posts. Dates are given as
ages in days so tests can ask for fresh or stale accounts against the real clock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from tests.support.servers import Route

DAY = 86400


def _ts(age_days: float) -> int:
    return int(time.time() - age_days * DAY)


def snowflake(age_days: float, low: int = 12345) -> str:
    """A Douyin/Toutiao-style id: creation time in the top 32 bits."""
    return str((_ts(age_days) << 32) | low)


def _json(data: object) -> Route:
    return Route(body=json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8")


def wechat_article(prefix: str, age_days: float, body: str = "为进一步做好疫情防控工作，现将有关事项通知如下。") -> dict[str, Route]:
    """mp.weixin.qq.com/s/… : ct in a script variable, #js_content filled from fetched JSON."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于做好冬季安全生产工作的通知</title>
<meta property="og:title" content="关于做好冬季安全生产工作的通知"></head>
<body><div class="rich_media"><h1 class="rich_media_title" id="activity-name"></h1>
<div id="meta_content"><a id="js_name">临淄发布</a> <em id="publish_time"></em></div>
<div class="rich_media_content" id="js_content" style="visibility:hidden"></div></div>
<script>var ct = "{_ts(age_days)}"; var msg_title = '关于做好冬季安全生产工作的通知'.html(false);
var publish_time = "" || "";
fetch('{prefix}/api/article.json').then(r => r.json()).then(a => {{
  document.getElementById('activity-name').textContent = msg_title;
  const d = new Date(parseInt(ct) * 1000);
  document.getElementById('publish_time').textContent = d.getFullYear() + '-' + (d.getMonth()+1) + '-' + d.getDate();
  const c = document.getElementById('js_content'); c.innerHTML = a.content; c.style.visibility = 'visible';
}});</script></body></html>"""
    html = html.replace("'关于做好冬季安全生产工作的通知'.html(false)", "'关于做好冬季安全生产工作的通知'")
    content = f"<p>{body}</p><p>详见<a href=\"{prefix}/files/notice-{int(age_days)}.html\">附件通知</a>。</p>"
    return {f"{prefix}/s/article": Route(body=html), f"{prefix}/api/article.json": _json({"content": content})}


def wechat_album(prefix: str, ages: list[float]) -> dict[str, Route]:
    """mp.weixin.qq.com/mp/appmsgalbum : li.album__list-item with data-link/data-title, create time in seconds."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开 合集</title></head>
<body><div class="album__content"><ul class="album__list js_album_list"></ul></div>
<script>fetch('{prefix}/api/album.json').then(r => r.json()).then(items => {{
  const ul = document.querySelector('.album__list');
  for (const it of items) {{
    const li = document.createElement('li');
    li.className = 'album__list-item js_album_item';
    li.setAttribute('data-link', it.link); li.setAttribute('data-title', it.title);
    li.innerHTML = '<div class="album__item-title"><span class="album__item-title-wrp">' + it.title + '</span></div>'
      + '<div class="album__item-info"><span class="js_article_create_time album__item-info-item">' + it.create_time + '</span></div>';
    ul.appendChild(li);
  }}
}});</script></body></html>"""
    items = [{"link": f"{prefix}/s/a{i}", "title": f"第{i + 1}期 政务公开工作动态", "create_time": str(_ts(a))}
             for i, a in enumerate(ages)]
    return {f"{prefix}/mp/appmsgalbum": Route(body=html), f"{prefix}/api/album.json": _json(items)}


def weibo_mobile(prefix: str, labels: list[str], texts: list[str] | None = None) -> dict[str, Route]:
    """m.weibo.cn/u/… : cards with .weibo-text and a span.time label ("3小时前", "昨天 10:21", "11-15")."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>临淄发布的微博</title></head>
<body><div id="app"><div class="m-container-max"><div class="card-list"></div></div></div>
<script>fetch('{prefix}/api/container/getIndex').then(r => r.json()).then(d => {{
  const list = document.querySelector('.card-list');
  for (const c of d.data.cards) {{
    const m = c.mblog;
    const div = document.createElement('div');
    div.className = 'card m-panel card9 weibo-member';
    div.innerHTML = '<div class="card-wrap"><header class="weibo-top m-box"><div class="m-text-box">'
      + '<h3 class="m-text-cut">临淄发布</h3><h4 class="m-text-cut"><span class="time">' + m.created_at + '</span>'
      + '<span class="from"> 来自 微博网页版</span></h4></div></header>'
      + '<article class="weibo-main"><div class="weibo-og"><div class="weibo-text">' + m.text + '</div></div></article>'
      + '<footer class="m-ctrl-box"><a href="{prefix}/status/' + m.id + '">评论</a></footer></div>';
    list.appendChild(div);
  }}
}});</script></body></html>"""
    cards = [{"card_type": 9, "mblog": {"id": f"49{i:014d}", "created_at": label,
                                        "text": (texts or [])[i] if i < len(texts or []) else f"【政务动态】区政府召开第{i + 1}次常务会议"}}
             for i, label in enumerate(labels)]
    return {f"{prefix}/u/1234567890": Route(body=html),
            f"{prefix}/api/container/getIndex": _json({"ok": 1, "data": {"cards": cards}})}


def douyin_user(prefix: str, ages: list[float]) -> dict[str, Route]:
    """www.douyin.com/user/… : ul[data-e2e=scroll-list] of /video/ID links, no visible dates."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>临淄发布的抖音 - 抖音</title></head>
<body><div id="douyin-right-container"><div data-e2e="user-post-list"><ul data-e2e="scroll-list"></ul></div></div>
<script>fetch('{prefix}/aweme/v1/web/aweme/post/').then(r => r.json()).then(d => {{
  const ul = document.querySelector('ul[data-e2e="scroll-list"]');
  for (const a of d.aweme_list) {{
    const li = document.createElement('li');
    li.innerHTML = '<a href="{prefix}/video/' + a.aweme_id + '" class="uz1VJwFY"><div><img alt="' + a.desc
      + '" src="{prefix}/cover.jpg"><p class="eJFBAbdI">' + a.desc + '</p></div></a>';
    ul.appendChild(li);
  }}
}});</script></body></html>"""
    items = [{"aweme_id": snowflake(a, i), "desc": f"文明城市创建进行时 第{i + 1}集"} for i, a in enumerate(ages)]
    return {f"{prefix}/user/MS4wLjABAAAA": Route(body=html), f"{prefix}/aweme/v1/web/aweme/post/": _json({"aweme_list": items})}


def toutiao_user(prefix: str, labels: list[str]) -> dict[str, Route]:
    """www.toutiao.com/c/user/token/… : feed cards with a title link to /article/ID and a time label."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>临淄发布的头条主页 - 今日头条</title></head>
<body><div class="profile-tab-feed"></div>
<script>fetch('{prefix}/api/pc/list/user/feed').then(r => r.json()).then(d => {{
  const feed = document.querySelector('.profile-tab-feed');
  for (const it of d.data) {{
    const div = document.createElement('div');
    div.className = 'profile-article-card-wrapper';
    div.innerHTML = '<div class="feed-card-article-l"><a href="{prefix}/article/' + it.id + '/" class="title">'
      + it.title + '</a><div class="feed-card-footer-cmp"><div class="feed-card-footer-time-cmp">' + it.time
      + '</div></div></div>';
    feed.appendChild(div);
  }}
}});</script></body></html>"""
    items = [{"id": snowflake(30 + i, i), "title": f"我区举行政务公开日活动（{i + 1}）", "time": label}
             for i, label in enumerate(labels)]
    return {f"{prefix}/c/user/token/MS4wLjAB": Route(body=html), f"{prefix}/api/pc/list/user/feed": _json({"data": items})}


def generic_list(prefix: str, dates: list[str], typo: str = "") -> dict[str, Route]:
    """Any page of dated links, its list built with fetch() (e.g. a 新媒体矩阵 page on a portal)."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>临淄区政务新媒体</title></head>
<body><div class="nav"><a href="{prefix}/">首页</a></div><ul class="news-list"></ul>
<script>fetch('{prefix}/api/posts.json').then(r => r.json()).then(items => {{
  const ul = document.querySelector('.news-list');
  for (const it of items) {{
    const li = document.createElement('li');
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span class="date">' + it.date + '</span>';
    ul.appendChild(li);
  }}
}});</script></body></html>"""
    items = [{"url": f"{prefix}/posts/{i}.html", "title": (typo if i == 0 and typo else f"第3-5条 工作动态{i}"), "date": d}
             for i, d in enumerate(dates)]
    return {f"{prefix}/list": Route(body=html), f"{prefix}/api/posts.json": _json(items)}


def undated(prefix: str) -> dict[str, Route]:
    """A page that renders posts without any date (nothing to judge freshness by)."""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>无日期</title></head><body><ul id="list"></ul>
<script>fetch('{prefix}/api/x.json').then(r => r.json()).then(items => {{
  document.getElementById('list').innerHTML = items.map(t => '<li><a href="{prefix}/p/' + t + '">第1-2期 活动' + t + '</a></li>').join('');
}});</script></body></html>"""
    return {f"{prefix}/page": Route(body=html), f"{prefix}/api/x.json": _json(["一", "二"])}


def never_loads(seconds: float = 60) -> Callable[[BaseHTTPRequestHandler], None]:
    """A page that sends its head and then never finishes (a hung upstream)."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.end_headers()
        h.wfile.write("<html><head><title>加载中</title></head><body>正在加载".encode())
        h.wfile.flush()
        time.sleep(seconds)

    return handler
