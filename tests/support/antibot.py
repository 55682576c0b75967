"""Loopback imitations of anti-bot gateways (瑞数 412, 加速乐 521) for tests.

A gated route answers with the challenge until the request carries the cookie that the
challenge's script computes; then it serves the page. The cookie value is computed by the
script (not written in the page), so a client that does not run JavaScript never gets
through — exactly what the real gateways do. Short made-up pages only.
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from tests.support.servers import Route, send_route

# The script computes the value and writes it in hex (a client must run it to know it).
_VALUE = format(12345 * 678901, "x")
_JS_VALUE = "(12345*678901).toString(16)"

# 瑞数-like: 412, an empty page with the $_ts inline script and a script file that sets the
# cookie and reloads (the real one is obfuscated; the shape is the same).
RUISHU_COOKIE = "NfBCSins2OywO"
RUISHU_PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta content="{{qKrzp3cWdcGl0}}" r='m'><script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};
$_ts.nsd=41265;$_ts.cd="qhzzrAlkmGaKrrlErqtmcskqEsWF";</script>
<script type="text/javascript" charset="utf-8" src="/zcQbVtADbnLV/ts.js" r='m'></script></head><body></body></html>"""
RUISHU_SCRIPT = ("document.cookie='" + RUISHU_COOKIE + "=' + " + _JS_VALUE + " + '; path=/';"
                 "setTimeout(function(){location.reload();}, 50);")

# 加速乐-like: 521 with __jsluid in Set-Cookie and an inline script that builds the cookie.
JIASULE_COOKIE = "__jsl_clearance_s"
JIASULE_PAGE = ("<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+"
                "('n')+('c')+('e')+('_')+('s')+'='+" + _JS_VALUE + "+';max-age=3600;path=/';"
                "location.href=location.pathname+location.search</script>")


# An unknown vendor's 403: no marker, no verification wording, only a script that sets a cookie
# and reloads (recognised as a generic challenge: re-checked, never called protected).
GENERIC_COOKIE = "wzws_cid"
GENERIC_PAGE = ("<html><body><script>document.cookie='" + GENERIC_COOKIE + "=' + " + _JS_VALUE
                + " + '; path=/'; location.reload();</script></body></html>")


def gated(page: Route | Callable[[BaseHTTPRequestHandler], None], gateway: str = "ruishu",
          passable: bool = True) -> Callable[[BaseHTTPRequestHandler], None]:
    """A route behind a gateway: the challenge until the script's cookie comes back, then
    ``page``. ``passable`` false: the server never accepts the cookie (a challenge the
    browser cannot pass, e.g. a newer version than the one imitated)."""
    name = {"ruishu": RUISHU_COOKIE, "jiasule": JIASULE_COOKIE, "generic": GENERIC_COOKIE}[gateway]
    wanted = f"{name}={_VALUE}"

    def handler(h: BaseHTTPRequestHandler) -> None:
        cookies = [c.strip() for c in (h.headers.get("Cookie") or "").split(";")]
        if passable and wanted in cookies:
            if callable(page):
                page(h)
                return
            _send(h, page.status, page.body, page.content_type, page.headers)
            return
        if gateway == "ruishu":
            _send(h, 412, RUISHU_PAGE, "text/html; charset=utf-8", {"Set-Cookie": "NfBCSins2OywS=60abc; path=/"})
        elif gateway == "generic":
            _send(h, 403, GENERIC_PAGE, "text/html; charset=utf-8", {})
        else:
            _send(h, 521, JIASULE_PAGE, "text/html", {"Set-Cookie": "__jsluid_s=7f3c2b1a; max-age=31536000; path=/"})

    return handler


def ruishu_script() -> Route:
    """The script file the 瑞数-like page loads (served under /zcQbVtADbnLV/ts.js)."""
    return Route(body=RUISHU_SCRIPT, content_type="application/javascript")


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes | str, ctype: str, headers: dict[str, str]) -> None:
    send_route(h, Route(status, body, headers, ctype))
