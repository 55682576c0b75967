"""The profile: one TOML file per site, the only input a nightly run needs.

Every section is a dataclass; the loader checks each key's type against the dataclass and
rejects unknown keys, so a typo in a profile ("max_page = 100") stops the run with a message
naming the file and the key instead of being silently ignored. To add a key, add a field
with a default to its section's dataclass (and document it in docs/profile.md).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zhaocuo.core.cmsrecords import FAMILIES as CMS_FAMILIES
from zhaocuo.core.environment import data_home
from zhaocuo.core.store.names import is_server_url, with_namespace


class ProfileError(Exception):
    """A profile that cannot be used. ``str()`` is the one-line message the CLI prints."""

    def __init__(self, path: str | Path, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"配置错误 profile error — {where}: {problem}")


@dataclass
class SiteSection:
    name: str = ""
    start_urls: list[str] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)
    # The site is the user's own: robots.txt is not honoured (the inspector must see all).
    own_site: bool = False
    # A staging profile: the production origin ("https://www.example.gov.cn") the staging origin
    # (the first start URL's) stands for. Findings are written under production's URLs, so a
    # staging run compares with a production run's findings (``--baseline``, zhaocuo.core.urlmap).
    production_url: str = ""


@dataclass
class CrawlSection:
    render_js: list[str] = field(default_factory=list)
    max_pages: int = 100000
    max_depth: int = 30
    concurrency: int = 32
    per_host_concurrency: int = 16
    # Requests per second per host; 0 means no fixed limit (concurrency still bounds it).
    requests_per_second: float = 0.0
    timeout_s: float = 20.0
    retries: int = 3
    max_backoff_s: float = 60.0
    # ASCII only: a header value beyond Latin-1 is sent as "?" by Chromium on a rendered page's own
    # requests, and strict gateways may refuse non-ASCII header bytes.
    user_agent: str = "zhaocuo/0.1 (+government website audit)"
    max_page_bytes: int = 10 * 1024 * 1024
    max_query_variants: int = 30
    # Links of one page stored and followed at most (the rest are counted, not kept).
    max_links_per_page: int = 10000
    check_external: bool = True
    max_links_checked: int = 200000
    # Share of crawled pages that may be rendered automatically because they look script-built.
    auto_render_share: float = 0.1
    render_timeout_s: float = 30.0
    # Pages a browser context serves before it is closed and a fresh one opened (its cache and
    # any leaks go with it): lower costs start-up time, higher costs memory on long crawls. At 64
    # the new tabs and renderer processes took about 40% of the rendering CPU (render_bench, 300
    # pages: 68.7 CPU-s against 42.5 at 1,000); 500 pages a context peaked at the same memory.
    render_context_pages: int = 500
    # Pages rendered in the browser at once (each a tab reused for the next page). A page takes
    # at least its two quiet periods (~0.3 s) whatever the CPU, so 8 tabs capped rendering at
    # ~16 pages/s on a busy 2-core machine; 12 and 16 gave 18.9 and 21.1 pages/s at the same CPU
    # a page, peak PSS 1,060 → 1,113 → 1,153 MB (render_bench, load 3-6, 2026-11-30).
    render_concurrency: int = 12
    # Anti-bot challenges (crawler.challenge): URLs a gateway answered with a challenge that are
    # re-checked in the browser per run (crawl and link check together), and how long the browser
    # waits for each to let it through. Beyond the budget, or when it does not get through, the
    # link is "protected, not checked" (never dead) and the page is not audited.
    challenge_rechecks: int = 200
    challenge_timeout_s: float = 20.0
    # A start URL that fails (refused, timeout, DNS, 5xx…) is tried this many times in all,
    # spread over down_window_s seconds, before the site is reported unreachable.
    down_probes: int = 3
    down_window_s: float = 60.0
    attachments: bool = True
    # Reaching a staging site (crawler.access): a PEM file of extra trusted CA certificates (an
    # internal CA; certificates are always verified), HTTP basic auth whose user and password come
    # only from the environment variables named here, and extra request headers (literal values,
    # or values read from the environment variables named in ``headers_env``). Credentials and
    # headers are sent to the site's own hosts only.
    ca_file: str = ""
    auth_user_env: str = ""
    auth_password_env: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    headers_env: dict[str, str] = field(default_factory=dict)


@dataclass
class DnsSection:
    nameservers: list[str] = field(default_factory=list)
    timeout_s: float = 5.0


@dataclass
class StoreSection:
    # SQLite file (or sqlite:///path). Empty: derived from the profile's path.
    path: str = ""
    # Crawls whose pages and links are kept (the newest N; 0 keeps all). Findings' history,
    # lifecycle state and every run's counts are kept regardless.
    keep_runs: int = 14
    # The same as ``path``, or a shared PostgreSQL database (postgresql://USER@HOST:PORT/DB) in
    # which this site gets its own namespace (the site's name; ``?site=`` names another).
    url: str = ""


@dataclass
class Unit:
    name: str = ""
    paths: list[str] = field(default_factory=list)
    email: str = ""


@dataclass
class CatalogItem:
    name: str = ""
    max_age_days: int = 0
    unit: str = ""
    aliases: list[str] = field(default_factory=list)
    content: str = ""
    basis: str = ""
    time_limit: str = ""
    subject: str = ""
    channel: str = ""
    method: str = ""


@dataclass
class ColumnsSection:
    # A 主动公开事项目录 spreadsheet (xlsx/csv), relative to the profile's folder.
    catalog_file: str = ""
    # Freshness overrides by column name: {"工作动态" = 14}
    max_age_days: dict[str, int] = field(default_factory=dict)


# Values of [[columns]] rule: how the column's freshness is judged.
#   auto   — the period from max_age_days, else the catalogue, else the national class of its name
#   static — a column that need not be updated (机构职能, 办事指南): never stale, still checked for blank
#   ignore — not a column (discovery mistook it): no column finding at all
COLUMN_RULES = ("auto", "static", "ignore")


@dataclass
class DeclaredColumn:
    """A column the profile names (``[[columns]]``): added when discovery missed it, renamed,
    given a freshness period, or struck out (rule = "ignore"). With ``url`` it is matched by
    its list page; without, every discovered column of that name is corrected."""

    name: str = ""
    url: str = ""
    max_age_days: int = 0
    rule: str = "auto"


# Values of [[newmedia]] platform (crawler.newmedia.platforms has one adapter per name).
NEWMEDIA_PLATFORMS = ("auto", "wechat", "weibo", "douyin", "toutiao", "generic",
                      "weixin", "微信", "公众号", "微博", "抖音", "头条", "今日头条")


@dataclass
class NewMedia:
    name: str = ""
    url: str = ""
    platform: str = "auto"
    unit: str = ""


@dataclass
class Leader:
    title: str = ""
    name: str = ""
    # "YYYY-MM-DD" the leader took this title: pages dated before it may rightly give the title
    # held then, so the wrong-title check skips them (audits._serious). Empty: every page is checked.
    since: str = ""


@dataclass
class MailSection:
    smtp: str = ""
    sender: str = ""
    office: list[str] = field(default_factory=list)
    # Where a unit's reply goes (the Reply-To of every message). Empty: the office addresses.
    reply_to: list[str] = field(default_factory=list)
    # "starttls", "ssl" or "none"; user and password come only from these environment variables.
    security: str = "starttls"
    user_env: str = "ZHAOCUO_SMTP_USER"
    password_env: str = "ZHAOCUO_SMTP_PASSWORD"
    timeout_s: float = 30.0


@dataclass
class DeadlinesSection:
    """Working days to fix a finding, by severity."""

    veto: int = 1
    high: int = 3
    medium: int = 5
    low: int = 10


@dataclass
class TextSection:
    # Extra correct words (never flagged), e.g. place names of the district.
    words: list[str] = field(default_factory=list)
    # Words or phrases never reported, whatever the engine thinks.
    ignore: list[str] = field(default_factory=list)
    # Extra outdated expressions: {"旧说法" = "新说法"}
    outdated: dict[str, str] = field(default_factory=dict)
    # Extra confusions always reported: {"错误写法" = "正确写法"}
    confusions: dict[str, str] = field(default_factory=dict)
    # A local pycorrector MacBERT model folder; empty: the neural corrector is not used.
    macbert_dir: str = ""
    # Also check every stretch against same-sounding common words (audits/_soundalike.py):
    # finds more input-method slips, about five times slower.
    thorough: bool = False
    # The proofreading language model (a KenLM file built by ``zhaocuo build-lm``, relative to
    # the profile); empty: the model built at install time.
    lm: str = ""
    # The nightly audit's operating point: "audit" (precision first) or "draft" (flag more, as
    # check-text does on a draft).
    operating_point: str = "audit"
    # Log10 probability a language-model correction must gain; 0: the operating point's own.
    lm_threshold: float = 0.0
    # Other settings of the operating point, e.g. {screen = -3.0, word = 1.5} (the keys of
    # audits._proofread.POINTS, documented in docs/profile.md); absent keys keep the point's own.
    lm_tuning: dict[str, float] = field(default_factory=dict)


@dataclass
class Ipv6Section:
    enabled: bool = True
    timeout_s: float = 5.0
    # Bounds of the IPv6 probe (crawler/ipv6probe.py): hosts probed, linked URLs fetched per
    # host, parallel probes, bytes read per fetch and the probe's whole time budget.
    max_hosts: int = 200
    max_urls_per_host: int = 3
    concurrency: int = 16
    max_bytes: int = 2 * 1024 * 1024
    max_total_s: float = 300.0


@dataclass
class InteractionSection:
    """互动交流: the message boards (留言板, 领导信箱, 咨询投诉…) the interaction audits read."""

    # A local reply rule in working days (e.g. 5): a message answered later, or still open
    # after it, is an interaction_slow finding. 0: no local rule (only the national three months).
    reply_within_days: int = 0
    # interaction_slow judges messages asked within this many days before the as-of date: a late
    # reply of years ago cannot be fixed and must not stay on a unit's list for ever.
    slow_window_days: int = 92
    # Is a site with no interaction channel a veto? "yes", "no", or "auto": only for a government
    # portal (the site's name, else its homepage title, names a 人民政府): a department's site may use
    # its portal's unified interaction platform (《政府网站发展指引》).
    channel_required: str = "auto"
    # More names of interaction columns (e.g. "书记信箱"), beside the built-in words.
    names: list[str] = field(default_factory=list)
    # Query-string variants the crawler follows on one path from a page that lists messages
    # (list.jsp?page=N, detail.jsp?id=N), instead of crawl.max_query_variants.
    max_messages: int = 5000


@dataclass
class PlatformSection:
    """The national 我为政府网站找错 platform's messages (``zhaocuo import-platform``)."""

    # Working days the site has to handle a message when the export gives no 办理时限.
    deadline_workdays: int = 3


@dataclass
class CmsSection:
    # Family rules of crawler/cms switched off for this site (docs/cms.md): "hanweb", "trs",
    # "kaipuyun", "epoint", "siteserver", "last_page".
    disabled: list[str] = field(default_factory=list)
    # At most this many 大汉 datastore records per list (the groups beyond are not requested).
    max_records: int = 5000
    # At most this many pages per list named by a pager script or a last-page link.
    max_list_pages: int = 500


@dataclass
class AuditsSection:
    disabled: list[str] = field(default_factory=list)
    # {"dead_link" = "high"}: overrides an audit's default severity.
    severity: dict[str, str] = field(default_factory=dict)


@dataclass
class Profile:
    path: Path
    site: SiteSection
    crawl: CrawlSection
    dns: DnsSection
    store: StoreSection
    units: list[Unit]
    catalog: list[CatalogItem]
    columns: ColumnsSection
    newmedia: list[NewMedia]
    leaders: list[Leader]
    mail: MailSection | None
    deadlines: DeadlinesSection
    text: TextSection
    ipv6: Ipv6Section
    audits: AuditsSection
    # [[columns]]: columns named in the profile (audits/_declared.py merges them into discovery).
    declared_columns: list[DeclaredColumn] = field(default_factory=list)
    interaction: InteractionSection = field(default_factory=InteractionSection)
    platform: PlatformSection = field(default_factory=PlatformSection)
    cms: CmsSection = field(default_factory=CmsSection)
    # What loading noticed that is allowed but worth a line (printed by the commands, shown by doctor).
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.site.name

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def homepage(self) -> str:
        return self.site.start_urls[0]

    def resolve_path(self, value: str) -> Path:
        """A path written in the profile, relative to the profile's folder."""
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else (self.folder / p)

    def host_allowed(self, host: str | None) -> bool:
        """The host is one of ``allowed_hosts`` on some port (whose certificates, names…).
        What is *crawled* is decided by ``url_allowed``, which looks at the port too."""
        if not host:
            return False
        host = host.lower().rstrip(".")
        hosts, _, pairs = self._scope()
        return host in hosts or any(host == h for h, _ in pairs)

    def url_allowed(self, url: str) -> bool:
        """``url`` is on the crawled site: an ``allowed_hosts`` host on a port of the start URLs
        or the scheme's default (80, 443), or a "host:port" entry. Another port of an allowed
        host (an admin application, a test instance) is link-checked, never crawled."""
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower().rstrip("."), parts.port
        except ValueError:
            return False
        if not host:
            return False
        port = port or {"http": 80, "https": 443}.get(parts.scheme.lower())
        hosts, ports, pairs = self._scope()
        return (host in hosts and port in ports) or (host, port) in pairs

    def _scope(self) -> tuple[frozenset[str], frozenset[int | None], frozenset[tuple[str, int]]]:
        """(plain host entries, the ports every plain host entry is crawled on, (host, port) entries); computed
        each time (a few entries) so a profile changed after loading is never judged stale."""
        hosts: set[str] = set()
        pairs: set[tuple[str, int]] = set()
        for entry in self.site.allowed_hosts:
            host, port = split_host_port(entry)
            if port is None:
                hosts.add(host)
            else:
                pairs.add((host, port))
        ports: set[int | None] = {80, 443}
        for url in self.site.start_urls:
            parts = urlsplit(url)
            ports.add(parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower()))
        return frozenset(hosts), frozenset(ports), frozenset(pairs)

    def default_store_path(self) -> Path:
        """The site's store: ``[store] path`` when given, else one SQLite file named after the
        site (``[site] name``) under ``$ZHAOCUO_HOME`` — so the same site keeps its history
        whichever copy, path or symlink of its profile runs."""
        local = self.store.path or ("" if is_server_url(self.store.url) else self.store.url)
        if local:
            return self.resolve_path(local.removeprefix("sqlite:///"))
        # A staging profile ([site] production_url) never shares production's store, though both
        # name the same site: its crawls must not become production's "last crawl", nor its
        # findings production's history.
        return store_home() / f"{self.store_namespace()}.sqlite"

    def store_namespace(self) -> str:
        """The site's name among others' (its SQLite file's stem, its namespace in a shared
        PostgreSQL database). A staging profile's is apart from production's."""
        return store_file_stem(self.site.name) + ("-staging" if self.site.production_url else "")

    def store_url(self) -> str:
        """The shared database ``[store] url`` names, with this site's namespace; "" for SQLite."""
        return with_namespace(self.store.url, self.store_namespace()) if is_server_url(self.store.url) else ""

    def legacy_store_paths(self) -> list[Path]:
        """Where versions before 0.2 kept this profile's store (named from a hash of the
        profile's path): the application adopts such a store once (zhaocuo.app.stores)."""
        if self.store.path or self.store.url:
            return []
        out: list[Path] = []
        for p in (self.path.resolve(), self.path.absolute()):
            digest = hashlib.sha1(str(p).encode()).hexdigest()[:8]
            candidate = store_home() / f"{self.path.stem}-{digest}.sqlite"
            if candidate not in out:
                out.append(candidate)
        return out


def split_host_port(entry: str) -> tuple[str, int | None]:
    """An ``allowed_hosts`` entry: "www.x.gov.cn" → (host, None); "www.x.gov.cn:8080",
    "[::1]:8080" → (host, 8080); "::1" → ("::1", None). Raises ValueError for a bad port."""
    entry = entry.strip().lower().rstrip(".")
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return host, (int(port) if port else None)
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host.rstrip("."), int(port)
    return entry, None


def store_home() -> Path:
    """The folder of default stores (zhaocuo.core.environment.data_home)."""
    return data_home()


_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')


def store_file_stem(site_name: str) -> str:
    """A file name for the site's store: the name as written (Chinese is fine), characters no
    file system takes replaced, bounded in length (a long name keeps a hash of the whole)."""
    stem = _UNSAFE_FILE_CHARS.sub("_", site_name).strip("._") or "site"
    if len(stem) > 60:
        stem = stem[:50] + "-" + hashlib.sha1(site_name.encode()).hexdigest()[:8]
    return stem


_SECTIONS: dict[str, type] = {
    "site": SiteSection,
    "crawl": CrawlSection,
    "dns": DnsSection,
    "store": StoreSection,
    "columns": ColumnsSection,
    "mail": MailSection,
    "deadlines": DeadlinesSection,
    "text": TextSection,
    "ipv6": Ipv6Section,
    "audits": AuditsSection,
    "interaction": InteractionSection,
    "platform": PlatformSection,
    "cms": CmsSection,
}
_ARRAYS: dict[str, type] = {
    "units": Unit,
    "catalog": CatalogItem,
    "newmedia": NewMedia,
    "leaders": Leader,
}


def _check_value(path: Path, key: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise ProfileError(path, key, f"应为 true/false, 实为 {value!r} (expected a boolean)")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError(path, key, f"应为整数, 实为 {value!r} (expected an integer)")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(path, key, f"应为数字, 实为 {value!r} (expected a number)")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ProfileError(path, key, f"应为字符串, 实为 {value!r} (expected a string)")
        return value
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        if isinstance(value, str) and item_hint is str:
            value = [value]
        if not isinstance(value, list):
            raise ProfileError(path, key, f"应为列表, 实为 {value!r} (expected a list)")
        return [_check_value(path, f"{key}[{i}]", v, item_hint) for i, v in enumerate(value)]
    if origin is dict:
        _, val_hint = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ProfileError(path, key, f"应为表, 实为 {value!r} (expected a table)")
        return {str(k): _check_value(path, f"{key}.{k}", v, val_hint) for k, v in value.items()}
    raise AssertionError(f"unsupported profile type {hint} for {key}")


def _build(path: Path, where: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ProfileError(path, where, "应为表 (expected a table)")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            raise ProfileError(path, f"{where}.{key}", f"未知的键 unknown key (known: {', '.join(sorted(names))})")
    kwargs = {k: _check_value(path, f"{where}.{k}", v, hints[k]) for k, v in raw.items()}
    return cls(**kwargs)


def parse_nameserver(ns: str) -> tuple[str, int]:
    """"127.0.0.1:5353" → ("127.0.0.1", 5353); "[::1]:53" → ("::1", 53); "::1" or "1.2.3.4" → port 53.
    Raises ValueError for a port that is not a number."""
    ns = ns.strip()
    if ns.startswith("["):
        host, _, rest = ns[1:].partition("]")
        return host, int(rest.lstrip(":") or 53)
    if ns.count(":") == 1:
        host, _, port = ns.partition(":")
        return host, int(port)
    return ns, 53


def _check_url(path: Path, key: str, url: str) -> None:
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # Never echo it: the part before "@" is a user name and password.
        raise ProfileError(path, key, "地址中不能写用户名和密码 no user:password in URLs; use crawl.auth_user_env "
                                      "and crawl.auth_password_env (values from the environment)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(path, key, f"不是有效的 http(s) 地址 not an http(s) URL: {url!r}")


def _check_store(path: Path, store: StoreSection) -> None:
    if store.path and store.url:
        raise ProfileError(path, "store.url", "store.path 与 store.url 只能写一个 set either store.path or store.url")
    if is_server_url(store.url):
        parts = urlsplit(store.url)
        if parts.password is not None:
            raise ProfileError(path, "store.url", "地址中不能写密码 no password in the URL; PostgreSQL reads it from "
                                                  "PGPASSWORD or ~/.pgpass")
        if not parts.hostname and "host=" not in parts.query:
            raise ProfileError(path, "store.url", "缺少数据库主机 no database host in the URL "
                                                  "(postgresql://USER@HOST:PORT/DB)")


# An HTTP header name (RFC 9110 token) and an environment variable name.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Headers the crawler sets itself (or that would break the connection) may not be overridden.
_RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "authorization", "cookie"}


def _check_crawl_access(path: Path, crawl: CrawlSection, profile_folder: Path) -> None:
    """ca_file readable and holding a certificate; auth and header keys well formed. The values of
    the environment variables are read only when a crawl starts (crawler.access), and never shown."""
    if crawl.ca_file:
        ca = Path(os.path.expanduser(crawl.ca_file))
        ca = ca if ca.is_absolute() else profile_folder / ca
        try:
            pem = ca.read_bytes()
        except OSError as exc:
            raise ProfileError(path, "crawl.ca_file", f"无法读取 cannot read {ca}: {exc.strerror or exc}") from None
        if b"-----BEGIN CERTIFICATE-----" not in pem:
            raise ProfileError(path, "crawl.ca_file", f"不是 PEM 格式的证书文件 no PEM certificate in {ca}")
    if bool(crawl.auth_user_env) != bool(crawl.auth_password_env):
        missing = "crawl.auth_password_env" if crawl.auth_user_env else "crawl.auth_user_env"
        raise ProfileError(path, missing, "用户名和密码的环境变量须同时设置 set both auth_user_env and auth_password_env")
    for key in ("auth_user_env", "auth_password_env"):
        name = getattr(crawl, key)
        if name and not _ENV_NAME.match(name):
            raise ProfileError(path, f"crawl.{key}", f"应为环境变量名 expected an environment variable name, got {name!r}")
    for table in ("headers", "headers_env"):
        for name, value in getattr(crawl, table).items():
            if not _TOKEN.match(name) or name.lower() in _RESERVED_HEADERS:
                raise ProfileError(path, f"crawl.{table}.{name}", "不能使用的请求头名 header name not allowed here")
            if table == "headers_env" and not _ENV_NAME.match(value):
                raise ProfileError(path, f"crawl.{table}.{name}", f"应为环境变量名 expected an environment variable name, got {value!r}")
            if table == "headers" and any(c in value for c in "\r\n\0"):
                raise ProfileError(path, f"crawl.{table}.{name}", "请求头的值不能含换行 no line breaks in a header value")
    both = {k.lower() for k in crawl.headers} & {k.lower() for k in crawl.headers_env}
    if both:
        raise ProfileError(path, f"crawl.headers_env.{sorted(both)[0]}", "与 crawl.headers 重复 also set in crawl.headers")


def _check_production_url(path: Path, url: str) -> str:
    """An origin: scheme://host[:port], no path beyond "/" (a staging origin maps onto it)."""
    _check_url(path, "site.production_url", url)
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProfileError(path, "site.production_url",
                           f"只写协议、主机和端口 only scheme://host[:port], got {url!r}")
    return url.rstrip("/")


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile; raises ProfileError naming the file and key at fault."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(path, "", "文件不存在 file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(path, "", f"无法读取 cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, "", f"TOML 语法错误 syntax error: {exc}") from None

    for key in data:
        if key not in _SECTIONS and key not in _ARRAYS and key != "column_settings":
            known = ", ".join(sorted([*_SECTIONS, *_ARRAYS, "column_settings"]))
            raise ProfileError(path, key, f"未知的配置节 unknown section (known: {known})")

    # "columns" is either [[columns]] (declared columns, the contract's form) or the older
    # [columns] table of settings; TOML cannot hold both, so with [[columns]] the settings are
    # written [column_settings].
    declared_raw = _split_columns(path, data)
    sections = {name: _build(path, name, cls, data.get(name, {})) for name, cls in _SECTIONS.items()}
    arrays: dict[str, list[Any]] = {}
    for name, cls in _ARRAYS.items():
        raw = data.get(name, [])
        if not isinstance(raw, list):
            raise ProfileError(path, name, f"应写作 [[{name}]] 数组 (expected an array of tables)")
        arrays[name] = [_build(path, f"{name}[{i}]", cls, item) for i, item in enumerate(raw)]

    site: SiteSection = sections["site"]
    if not site.start_urls:
        raise ProfileError(path, "site.start_urls", "必须至少有一个起始地址 at least one start URL is required")
    for i, url in enumerate(site.start_urls):
        _check_url(path, f"site.start_urls[{i}]", url)
    if not site.allowed_hosts:
        site.allowed_hosts = sorted({urlsplit(u).hostname or "" for u in site.start_urls})
    for i, entry in enumerate(site.allowed_hosts):
        try:
            host, port = split_host_port(entry)
        except ValueError:
            host, port = "", -1
        if not host or "/" in host or (port is not None and not 0 < port < 65536):
            raise ProfileError(path, f"site.allowed_hosts[{i}]", f"应为主机名或 主机:端口 expected a host or "
                                                                 f"host:port (\"www.x.gov.cn:8080\"), 实为 {entry!r}")
    if not site.name:
        site.name = urlsplit(site.start_urls[0]).hostname or path.stem
    if site.production_url:
        site.production_url = _check_production_url(path, site.production_url)
    _check_store(path, sections["store"])
    crawl: CrawlSection = sections["crawl"]
    _check_crawl_access(path, crawl, path.parent)
    if crawl.down_window_s < 0:
        raise ProfileError(path, "crawl.down_window_s", "不能为负数 must not be negative")
    if crawl.challenge_rechecks < 0:
        raise ProfileError(path, "crawl.challenge_rechecks", "不能为负数 must not be negative (0: no browser re-check)")
    if crawl.challenge_timeout_s <= 0:
        raise ProfileError(path, "crawl.challenge_timeout_s", "必须大于 0 must be positive")
    for key in ("max_pages", "max_depth", "concurrency", "per_host_concurrency", "down_probes", "max_links_per_page",
                "render_concurrency"):
        if getattr(crawl, key) < 1:
            raise ProfileError(path, f"crawl.{key}", "必须大于 0 must be at least 1")
    if sections["store"].keep_runs < 0:
        raise ProfileError(path, "store.keep_runs", "不能为负数 must not be negative (0 keeps every crawl)")
    for i, ns in enumerate(sections["dns"].nameservers):
        try:
            parse_nameserver(ns)
        except ValueError:
            raise ProfileError(path, f"dns.nameservers[{i}]", f"端口无效 bad port in {ns!r}") from None
    for i, unit in enumerate(arrays["units"]):
        if not unit.name:
            raise ProfileError(path, f"units[{i}].name", "责任单位必须有名称 a unit needs a name")
        for j, p in enumerate(unit.paths):
            if not (p.startswith("/") or p.startswith("http://") or p.startswith("https://")):
                raise ProfileError(path, f"units[{i}].paths[{j}]", f"路径应以 / 开头 a path must start with '/': {p!r}")
    for i, item in enumerate(arrays["catalog"]):
        if not item.name:
            raise ProfileError(path, f"catalog[{i}].name", "目录项必须有名称 a catalogue item needs a name")
    for i, acct in enumerate(arrays["newmedia"]):
        _check_url(path, f"newmedia[{i}].url", acct.url)
        if acct.platform.strip().lower() not in NEWMEDIA_PLATFORMS:
            raise ProfileError(path, f"newmedia[{i}].platform", f"未知的平台 unknown platform {acct.platform!r} "
                                                                f"(known: {', '.join(NEWMEDIA_PLATFORMS)})")
        if not acct.name:
            acct.name = acct.url  # findings name the account; its address is the next best name
    for i, leader in enumerate(arrays["leaders"]):
        if not leader.name:
            raise ProfileError(path, f"leaders[{i}].name", "领导姓名不能为空 a leader needs a name")
        if leader.since:
            try:
                datetime.date.fromisoformat(leader.since)
            except ValueError:
                raise ProfileError(path, f"leaders[{i}].since",
                                   f"应为日期 YYYY-MM-DD, 实为 {leader.since!r} (expected a date)") from None
    mail = sections["mail"] if "mail" in data else None
    if mail is not None:
        _check_mail(path, mail)
    notes: list[str] = []
    _check_units(path, arrays, notes)
    for key in ("reply_within_days", "slow_window_days", "max_messages"):
        if getattr(sections["interaction"], key) < 0:
            raise ProfileError(path, f"interaction.{key}", "不能为负数 must not be negative")
    if sections["interaction"].channel_required not in ("auto", "yes", "no"):
        raise ProfileError(path, "interaction.channel_required", "应为 auto、yes 或 no (expected auto, yes or no)")
    for i, fam in enumerate(sections["cms"].disabled):
        if fam not in CMS_FAMILIES:
            raise ProfileError(path, f"cms.disabled[{i}]", f"未知的内容管理系统规则 unknown family rule {fam!r} "
                                                           f"(known: {', '.join(CMS_FAMILIES)})")
    for key in ("max_records", "max_list_pages"):
        if getattr(sections["cms"], key) < 1:
            raise ProfileError(path, f"cms.{key}", "必须大于 0 must be at least 1")
    if sections["platform"].deadline_workdays < 1:
        raise ProfileError(path, "platform.deadline_workdays", "必须大于 0 must be at least 1")
    for name, level in sections["audits"].severity.items():
        if level not in ("veto", "high", "medium", "low"):
            raise ProfileError(path, f"audits.severity.{name}", f"未知的严重程度 unknown severity {level!r}")

    declared = [_declared_column(path, i, raw, site) for i, raw in enumerate(declared_raw)]
    return Profile(path=path, mail=mail, **{k: v for k, v in sections.items() if k != "mail"}, **arrays,
                   declared_columns=declared, notes=notes)


_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")


def split_addresses(value: str) -> list[str]:
    """``"a@x.cn, b@x.cn；c@x.cn"`` → the addresses (a unit's ``email`` may hold several)."""
    return [a.strip() for a in re.split(r"[,;，；\s]+", value) if a.strip()]


def _check_addresses(path: Path, key: str, value: str) -> None:
    for address in split_addresses(value):
        if not _ADDRESS.match(address) or address.endswith(".") or address.split("@")[1].startswith("."):
            raise ProfileError(path, key, f"不是有效的邮箱地址 not an e-mail address: {address!r}")


def _check_mail(path: Path, mail: MailSection) -> None:
    if not mail.smtp:
        raise ProfileError(path, "mail.smtp", "缺少 SMTP 服务器 missing host:port")
    host, sep, port = mail.smtp.rpartition(":")
    if not sep or not host.strip("[]") or (host.count(":") and not host.startswith("[")):
        raise ProfileError(path, "mail.smtp", f"应写作 主机:端口 expected host:port (e.g. \"smtp.example.gov.cn:25\", "
                                              f"\"[2001:db8::1]:587\"), 实为 {mail.smtp!r}")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ProfileError(path, "mail.smtp", f"端口无效 bad port in {mail.smtp!r}")
    if mail.security not in ("starttls", "ssl", "none"):
        raise ProfileError(path, "mail.security", "应为 starttls、ssl 或 none")
    if not mail.sender:
        raise ProfileError(path, "mail.sender", "缺少发件人 missing sender address")
    _check_addresses(path, "mail.sender", mail.sender)
    if len(split_addresses(mail.sender)) != 1:
        raise ProfileError(path, "mail.sender", "发件人只能有一个地址 one sender address")
    for i, office in enumerate(mail.office):
        _check_addresses(path, f"mail.office[{i}]", office)
    for i, reply in enumerate(mail.reply_to):
        _check_addresses(path, f"mail.reply_to[{i}]", reply)
    if mail.timeout_s <= 0:
        raise ProfileError(path, "mail.timeout_s", "必须大于 0 must be positive")


def _check_units(path: Path, arrays: dict[str, list[Any]], notes: list[str]) -> None:
    """Unit names are unique, their addresses valid, and every ``unit`` written elsewhere in
    the profile names one of them or is said in ``notes`` (a typo would route findings to nobody)."""
    names: dict[str, int] = {}
    for i, unit in enumerate(arrays["units"]):
        if unit.name in names:
            raise ProfileError(path, f"units[{i}].name", f"单位名称重复 duplicate unit name {unit.name!r} "
                                                         f"(units[{names[unit.name]}] 已使用 already used)")
        names[unit.name] = i
        _check_addresses(path, f"units[{i}].email", unit.email)
    for array in ("catalog", "newmedia"):
        for i, item in enumerate(arrays[array]):
            if item.unit and item.unit not in names:
                # Allowed (a catalogue item or an account may belong to an office with no pages
                # of its own, e.g. 区政府办公室), but never silently: said when the profile loads.
                known = "、".join(names) or "无 none"
                notes.append(f"{path}: {array}[{i}].unit: {item.unit!r} 不是 [[units]] 中的单位，其问题只列入办公室汇总、"
                             f"不单独发邮件 is not one of [[units]] (defined: {known}): its findings reach the office "
                             f"summary only, no unit mail")


def _split_columns(path: Path, data: dict[str, Any]) -> list[Any]:
    """Take [[columns]] out of ``data`` (returned) and leave the settings under "columns"."""
    raw = data.get("columns")
    if isinstance(raw, list):
        data["columns"] = data.pop("column_settings", {})
        return raw
    if "column_settings" in data:
        if raw is not None:
            raise ProfileError(path, "column_settings", "与 [columns] 重复: 只写其中一个 "
                                                        "duplicates [columns]; write one of them")
        data["columns"] = data.pop("column_settings")
    return []


def _declared_column(path: Path, i: int, raw: Any, site: SiteSection) -> DeclaredColumn:
    where = f"columns[{i}]"
    col: DeclaredColumn = _build(path, where, DeclaredColumn, raw)
    col.name = col.name.strip()
    if not col.name:
        raise ProfileError(path, f"{where}.name", "栏目必须有名称 a column needs a name")
    if col.url:
        _check_url(path, f"{where}.url", col.url)
        host = (urlsplit(col.url).hostname or "").lower().rstrip(".")
        hosts = {split_host_port(h)[0] for h in site.allowed_hosts}
        if host not in hosts:
            raise ProfileError(path, f"{where}.url", f"不是本站地址 not on an allowed host: {col.url!r} "
                                                     f"(site.allowed_hosts: {', '.join(site.allowed_hosts)})")
    if col.rule not in COLUMN_RULES:
        raise ProfileError(path, f"{where}.rule", f"应为 {'、'.join(COLUMN_RULES)} 之一, 实为 {col.rule!r}")
    if col.max_age_days < 0:
        raise ProfileError(path, f"{where}.max_age_days", "不能为负数 must not be negative")
    if col.max_age_days and col.rule != "auto":
        raise ProfileError(path, f"{where}.max_age_days", f"rule = {col.rule!r} 的栏目不判断更新期限 "
                                                          "a column with this rule has no freshness period")
    if not col.url and col.rule == "auto" and not col.max_age_days:
        raise ProfileError(path, where, "只有名称的栏目需写 max_age_days 或 rule "
                                        "a column without url must set max_age_days or rule")
    return col

