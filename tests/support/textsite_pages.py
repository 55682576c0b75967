"""A small government site with wording defects and their look-alikes, served on loopback
for the text-audit tests (pages are data; each defect has a look-alike that must stay quiet)."""

from __future__ import annotations

from tests.support.servers import Route

NAV = '<div class="nav"><a href="/">首页</a> <a href="/xxgk/">信息公开</a> <a href="/ldxx/">领导信息</a></div>'
# A typo and a citizen's mobile number in the footer, repeated on every page: each reported once,
# with a count; the maintainer's contact number beside them is published on purpose.
FOOTER = ('<div class="footer">主办：临淄区人民政府办公室 请认真布署网站工作</div>'
          '<div class="footer">网站维护 联系手机：13953312345</div>'
          '<div class="footer">获奖名单：赵五 13753312345</div>')


def page(title: str, body: str, date: str = "2024-03-05") -> str:
    dated = f"<p>发布日期：{date}</p>" if date else ""
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{NAV}"
            f"<h1>{title}</h1>{dated}{body}{FOOTER}</body></html>")


# The site's own vocabulary: 临淄区 written hundreds of times teaches the engine the name.
_CORPUS = "".join(f"<p>临淄区第{i}项民生工程在临淄区{w}街道顺利推进。</p>"
                  for i, w in enumerate(["齐陵", "辛店", "稷下", "闻韶", "雪宫", "皇城", "敬仲", "朱台"] * 4))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def site_routes() -> dict[str, Route]:
    from tests.support.documents import make_docx, make_pdf, make_xlsx

    links = "".join(f'<a href="{p}">{p}</a> ' for p in (
        "/files/notice.docx", "/files/list.xlsx", "/files/form.pdf",
        "/xxgk/typo.html", "/xxgk/serious.html", "/xxgk/outdated.html", "/xxgk/archive2017.html",
        "/xxgk/privacy.html", "/xxgk/clean.html", "/ldxx/", "/xxgk/corpus.html"))
    return {
        "/files/notice.docx": Route(body=make_docx(["关于做好防汛工作的通知", "各单位要认真布署防汛抗旱工作。"]),
                                    content_type=DOCX),
        "/files/list.xlsx": Route(body=make_xlsx([["姓名", "电话"], ["赵六", "15953312345"]]), content_type=XLSX),
        "/files/form.pdf": Route(body=make_pdf("Applicant ID 370305198512204567"), content_type="application/pdf"),
        "/": Route(body=page("临淄区人民政府", f"<p>{links}</p>", date="")),
        "/xxgk/": Route(body=page("信息公开", f"<p>{links}</p>", date="")),
        "/ldxx/": Route(body=page("领导信息", "<p>区长：王建国</p><p>副区长：李红梅</p>", date="")),
        "/xxgk/corpus.html": Route(body=page("民生工程进展", _CORPUS)),
        "/xxgk/typo.html": Route(body=page("工作动态", (
            "<p>区里召开会议，对下一步工作进行布署。</p>"
            "<p>临缁区召开全区安全生产工作会议。</p>"
            "<p>全区大数局平台已接入各部门业务系统。</p>"))),
        "/xxgk/serious.html": Route(body=page("重要会议", (
            "<p>会议深入学习习近平新时代中国特色社会主义思像。</p>"
            "<p>区长王建图主持会议并讲话。</p>"
            "<p>中华人民共合国成立七十五周年。</p>"))),
        "/xxgk/outdated.html": Route(body=page("通知", (
            "<p>请各单位与区环境保护局对接。</p><p>原国土资源局的档案已移交区自然资源局。</p>"
            "<p>区文化和旅游局组织开展活动。</p>"), date="2023-06-01")),
        "/xxgk/archive2017.html": Route(body=page("2017年工作总结", (
            "<p>区环境保护局、区食品药品监督管理局完成年度任务。</p>"), date="2017-12-20")),
        "/xxgk/privacy.html": Route(body=page("公示", (
            "<p>申请人张三，身份证号：370305199001011231，联系电话：13853312345。</p>"
            "<p>收款账号：6222021234567890128</p>"
            "<p>已脱敏：370305********1231，138****2345。</p>"
            "<p>订单号：370305199001011238</p>"
            "<p>项目编号 6222021234567890128 仅为编号。</p>"))),
        "/xxgk/clean.html": Route(body=page("清单", (
            "<p>副区长王建军调研辛店街道的饕餮纹青铜器保护工作，耄耋老人踊跃参与。</p>"
            "<p>会议传达学习党的十九大精神和党的二十大精神。</p>"
            "<p>截至目前，全区完成项目部署。</p>"))),
    }
