"""政策文件缺少解读 (policy_unexplained): a policy document with no linked 解读.

政务公开 rules want 政策解读 published with important policy documents and linked both ways.
Only documents whose titles name a policy instrument (办法, 规定, 意见, 方案, 细则, 措施 …)
are judged; 任免, 表彰, 批复 and the like need no 解读, nor do forwarded higher-level documents
(转发…的通知: the issuing level explains them), nor documents no longer in force
(marked repealed, past their 有效期, or named by a 废止 notice: outdated_policy's business),
解读 pages themselves and 废止 notices. Low severity: a reminder, not an inspection failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from audits import AuditMeta
from audits._policy import links_to_interpretation, policy_docs, repealed_by_notices
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="policy_unexplained", title="政策文件缺少解读", severity=Severity.LOW,
                 requires=("pages", "links"), description="重要政策文件应同步发布政策解读并相互关联。")
_POLICY = re.compile(r"办法|规定|意见|方案|细则|措施|政策|规划|条例|规则|指引|若干")
_EXEMPT = re.compile(r"任免|人事|表彰|通报|公示|批复|复函|函|废止|清理|解读|名单|结果")
# A forwarded higher-level document (关于转发《省人社厅关于…的通知》的通知): its 解读 is the
# issuing level's to publish, not the forwarding unit's.
_FORWARDED = re.compile(r"转发|转批|转印")


def audit(ctx: AuditContext) -> Iterable[Finding]:
    crawl, as_of = ctx.crawl, ctx.as_of
    by_no, by_title = repealed_by_notices(ctx)
    for doc in policy_docs(ctx):
        if doc.void_marked or doc.interpretation or not _POLICY.search(doc.title) or _EXEMPT.search(doc.title) \
                or _FORWARDED.search(doc.title):
            continue
        if (doc.valid_until and doc.valid_until < as_of) or doc.doc_no in by_no or doc.titles & set(by_title):
            continue  # no longer in force: a 解读 is not what it needs
        if links_to_interpretation(crawl, doc.url):
            continue
        yield Finding(
            audit=META.name, severity=META.severity, url=doc.url, text=doc.doc_no,
            message=f"政策文件《{doc.title}》（{doc.doc_no}）未关联政策解读，请发布解读并与文件相互链接。",
            extra={"doc_no": doc.doc_no},
        )
