"""链接不可用 — dead links: every link on every crawled page whose target does not work.

Reads the stored links and the one check per distinct URL (crawler.site / crawler.linkcheck)
and the host's not-found probe pages. Dead: 4xx/5xx after retries (except 429, see below),
DNS failure, connection refused, timeout, reset, TLS failure, a redirect loop or a chain
over 10 redirects, and a soft 404 (audits._soft404). One finding per (page, dead target);
severity high when the page is the homepage (a start URL or where it landed), else medium.

Not dead, because nothing was learnt of the target: robots.txt forbade the fetch, or an
anti-bot gateway answered with a challenge the browser could not get through (error_kind
"protected", crawler.challenge). Those are counted apart (受防护，未检查) and an earlier finding on
such a target is not taken as fixed (``undetermined``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from audits import AuditMeta
from audits._soft404 import matches_probe, probe_is_usable, says_not_found
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import PROTECTED, Crawl, Link, LinkCheck, Page
from zhaocuo.core.urlcanon import canonical, origin_of

META = AuditMeta(
    name="dead_link", title="链接不可用", severity=Severity.MEDIUM,
    requires=("pages", "links", "link_checks", "pages:notfound_probe"),
    description="网站页面中不应存在无法访问的链接（含错链、断链、空白页面），首页尤甚。",
)

_REASONS = {
    "dns": "域名无法解析",
    "refused": "服务器拒绝连接",
    "timeout": "访问超时",
    "reset": "连接被重置",
    "ssl": "安全证书或加密连接错误",
    "redirect_loop": "页面循环跳转",
    "too_many_redirects": "跳转次数超过10次",
    "other": "无法连接",
    "invalid_url": "链接地址格式错误，浏览器无法打开",
    "local_file": "链接指向编辑者本机的文件，访客无法打开",
}
_NOUNS = {"img": "图片", "script": "脚本文件", "link": "引用文件", "iframe": "内嵌页面", "frame": "内嵌页面",
          "embed": "嵌入内容", "object": "嵌入内容", "source": "媒体文件", "video": "视频", "audio": "音频", "meta": "自动跳转地址",
          "track": "字幕文件", "css": "样式中引用的文件", "metaurl": "页面分享信息中的地址", "button": "按钮提交地址",
          "input": "按钮提交地址"}


def _probes(crawl: Crawl, profile: Profile) -> dict[str, Page]:
    """The not-found probe of each origin, where it can tell soft 404s apart (see
    audits._soft404.probe_is_usable: not when the site answers with its homepage or a shell)."""
    homes = [crawl.link_check(canonical(u)) for u in profile.site.start_urls]
    usable: dict[str, Page] = {}
    for p in crawl.pages(kinds=("notfound_probe",)):
        origin = origin_of(p.url)
        home = next((h for h in homes if h is not None and origin_of(h.url) == origin), None)
        if probe_is_usable(p.title, p.text, home.title if home else "", home.snippet if home else ""):
            usable[origin] = p
    return usable


def verdict(check: LinkCheck, probe: Page | None) -> tuple[str, str] | None:
    """(kind, Chinese reason) when ``check`` shows a dead target, None when it works."""
    kind = check.error_kind
    if not check.judged:
        return None  # not checked (robots.txt, an anti-bot gateway): unknown is not dead
    if kind == "ssl" and check.error.startswith("证书"):
        # The crawler explained the certificate failure (crawler.tls): "证书已过期 certificate has expired".
        return kind, f"安全证书错误：{check.error.split(' ', 1)[0]}"
    if kind in _REASONS:
        return kind, _REASONS[kind]
    status = check.status
    if status is None:
        return None
    if status == 429:
        # Still throttled after every retry: the server limits *us*; a visitor gets the page.
        # Calling it dead would report the checker's own load (the issue forbids that).
        return None
    if status >= 400:
        return "http", f"HTTP {status}"
    if 200 <= status < 300:
        phrase = says_not_found(check.title, check.snippet)
        if phrase:
            return "soft404", f"页面显示“{phrase}”"
        if probe is not None and matches_probe(check.url, check.final_url, check.title, check.snippet, probe.status,
                                               probe.url, probe.final_url, probe.title, probe.text):
            return "soft404", "打开后是网站的“页面不存在”页"
    return None


def _homepages(crawl: Crawl, profile: Profile) -> set[str]:
    homes = {canonical(u) for u in profile.site.start_urls}
    for url in list(homes):
        page = crawl.page(url)
        if page is not None and page.final_url:
            homes.add(canonical(page.final_url))
        check = crawl.link_check(url)
        if check is not None and check.final_url:
            homes.add(canonical(check.final_url))
    return homes


@dataclass
class JudgedChecks:
    """What the audit keeps of the run's link checks after judging each one as it streams by.

    Holding every check with its snippet cost ~220 MB on a 100,000-URL run; the verdict needs
    the snippet only once, so the audit keeps the checked URLs and the (few) dead checks."""

    checked: set[str] = field(default_factory=set)
    dead: dict[str, tuple[LinkCheck, tuple[str, str]]] = field(default_factory=dict)
    # Targets not judged (URL → its check): robots.txt forbade them, or an anti-bot gateway
    # answered with a challenge the browser could not get through (error_kind "protected").
    unjudged: dict[str, LinkCheck] = field(default_factory=dict)

    def verdict(self, url: str) -> tuple[str, str] | None:
        hit = self.dead.get(url)
        return hit[1] if hit else None

    def check(self, crawl: Crawl, url: str) -> LinkCheck | None:
        """The check of ``url``: held when dead, else read again (rare: see ``audit``)."""
        hit = self.dead.get(url)
        return hit[0] if hit else crawl.link_check(url)


def judge_checks(crawl: Crawl, probes: dict[str, Page]) -> JudgedChecks:
    """One pass over the run's checks, each judged by ``verdict`` against its origin's probe."""
    judged = JudgedChecks()
    # A probe answered with an error status matches nothing (matches_probe): dropped here, so a
    # site that answers real 404s skips origin_of, a canonicalisation per check and most of the time.
    probes = {o: p for o, p in probes.items() if p.status is not None and 200 <= p.status < 300}
    for check in crawl.iter_link_checks():
        judged.checked.add(check.url)
        if not check.judged:
            check.snippet = ""
            judged.unjudged[check.url] = check
            continue
        v = verdict(check, probes.get(origin_of(check.url)) if probes else None)
        if v is not None:
            check.snippet = ""  # judged; the finding reports status, final URL and redirects only
            judged.dead[check.url] = (check, v)
    return judged


def audit(ctx: AuditContext) -> Iterator[Finding]:
    crawl, profile = ctx.crawl, ctx.profile
    checks = ctx.get(link_verdicts)
    homes = _homepages(crawl, profile)
    judged: dict[str, tuple[str, str] | None] = {}
    reported: set[tuple[str, str]] = set()
    # Only the links to dead targets matter: looked up per dead target (an indexed query), not
    # by reading every link of the run (millions on a large site, each canonicalised).
    for link in _links_to_dead(crawl, checks):
        key = canonical(link.target)
        # Checks are stored under the canonical URL; a link written with ?utm_source=… or
        # an uppercase host is the same target.
        url = key if key in checks.checked else link.target if link.target in checks.checked else None
        if url is None:
            continue  # over the link-check budget: not known to be dead
        if key not in judged:
            judged[key] = checks.verdict(url)
        v = judged[key]
        if v is None:
            continue
        kind, reason = v
        if (link.source, key) in reported:
            continue  # "/a.html" and "/a.html?utm_source=x" on one page: one dead target, one finding
        reported.add((link.source, key))
        # The check of this link's own spelling (normally the dead one held above; only an
        # old store with checks under two spellings of one canonical URL reads it again).
        check = checks.check(crawl, url)
        assert check is not None  # url is in checks.checked
        noun = _NOUNS.get(link.tag, "链接")
        shown = f"“{link.anchor}”" if link.anchor else f"（{link.target}）"
        severity = Severity.HIGH if canonical(link.source) in homes else Severity.MEDIUM
        yield Finding(
            audit=META.name, severity=severity, url=link.source, target=link.target,
            message=f"页面中的{noun}{shown}无法访问（{reason}），请修改或删除该{noun}。",
            evidence=reason,
            extra={"status": check.status, "error_kind": kind, "anchor": link.anchor, "tag": link.tag,
                   "final_url": check.final_url, "redirects": check.redirects[:12]},
        )


def _links_to_dead(crawl: Crawl, checks: JudgedChecks) -> Iterator[Link]:
    """Every link whose target is one of the dead checks (any spelling), each once."""
    seen: set[tuple[str, str]] = set()
    for url in sorted(checks.dead):
        for link in crawl.links_to(url):
            if (link.source, link.target) not in seen:
                seen.add((link.source, link.target))
                yield link


# Protected targets listed by name in summary.json and the report (the rest are counted).
MAX_PROTECTED_LISTED = 50


def link_verdicts(ctx: AuditContext) -> JudgedChecks:
    """The run's checks judged once (``ctx.get``): the audit, its summary and ``undetermined``
    share one pass over them."""
    return judge_checks(ctx.crawl, _probes(ctx.crawl, ctx.profile))


def protected_links(ctx: AuditContext) -> list[dict[str, Any]]:
    """The targets behind an anti-bot gateway the browser could not get through, each with the
    pages linking it (受防护，未检查): shown apart, never as dead. Linked targets only (a page
    the crawl reached through no link — a start URL — is its own page)."""
    out = []
    for url, check in sorted(ctx.get(link_verdicts).unjudged.items()):
        if check.error_kind != PROTECTED:
            continue
        pages = sorted({link.source for link in ctx.crawl.links_to(url)})
        out.append({"target": url, "status": check.status, "reason": check.error, "pages": len(pages),
                    "linked_from": pages[:5]})
    return out


def undetermined(ctx: AuditContext) -> set[str]:
    """Link targets not judged this run (protected by an anti-bot gateway, or robots.txt): an
    earlier finding on them is not fixed, only unseen. Keys are targets as the findings write them."""
    out: set[str] = set()
    for url in ctx.get(link_verdicts).unjudged:
        out.add(url)
        out.update(link.target for link in ctx.crawl.links_to(url))
    return out


def summary(ctx: AuditContext, findings: Iterable[Finding]) -> dict[str, Any]:
    found = list(findings)
    protected = protected_links(ctx)
    return {
        "by_kind": dict(Counter(f.extra.get("error_kind", "") for f in found)),
        "dead_targets": len({f.target for f in found}),
        # 受防护，未检查: targets an anti-bot gateway kept from the checker (not dead, not judged).
        "protected_targets": len(protected),
        "protected": protected[:MAX_PROTECTED_LISTED],
    }
