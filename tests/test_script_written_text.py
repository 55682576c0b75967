"""What small inline scripts show a reader (crawler.scriptwrite, crawler.extract): a date printed
from a script variable, a meta refresh written by a script, a literal location redirect on a stub
page — read without running anything; the look-alikes (unknown variables, false conditions,
computed addresses, redirects inside a full page's search box) are left alone."""

from __future__ import annotations

from crawler import scriptwrite
from crawler.extract import extract
from zhaocuo.core.dates import page_date

BASE = "http://www.test.gov.cn/zwgk/zcfg/201705/t20170520_100.html"

TRS_ARTICLE = """<html><head><title>示例管理办法</title></head><body><div class="title"><h1>示例管理办法</h1>
<script>var fbt=''; if(fbt!=''){ document.write('<h2>'+fbt+'</h2>'); }</script>
<div class="toolbar">发布时间：
<script type="text/javascript">
    var  pubdata='2012年06月01日';
    if(pubdata!=''){
        document.write(pubdata);
    }
</script>
字体：<span>小</span>
<script>var wzly=''; if(wzly!=''){ document.write('文章来源：'+wzly); }</script>
<script>var zz='管理员'; if(zz!=''){ document.write('作者：'+zz+'&emsp;'); }</script></div></div>
<div class="content"><p>正文。</p><p>信息发布时间：2009-11-25</p></div></body></html>"""


def test_date_in_a_script_variable_is_the_pages_date() -> None:
    ex = extract(TRS_ARTICLE, BASE)
    assert "2012年06月01日" in ex.text and "作者：管理员" in ex.text
    assert "文章来源" not in ex.text  # its if(wzly!='') is false
    # the displayed date, not the source's date in the body nor the URL's
    assert page_date(TRS_ARTICLE, ex.text, BASE) == page_date("", "发布时间：2012年06月01日", "")
    assert str(page_date(TRS_ARTICLE, ex.text, BASE)) == "2012-06-01"


def test_written_forms_and_their_look_alikes() -> None:
    assert scriptwrite.written("var a='x'; document.write('<b>'+a+\"</b>\");") == ["<b>x</b>"]
    assert scriptwrite.written("document.write(getDate());") == []          # a call: not guessed
    assert scriptwrite.written("document.write(unknown + '年');") == []
    assert scriptwrite.written("var lm=\"政务公开\"\nif(lm==\"政务公开\"){ document.write('是'); }") == ["是"]
    assert scriptwrite.written("var lm=\"其他\"\nif(lm==\"政务公开\"){ document.write('是'); }") == []
    assert scriptwrite.written("document.write('it\\'s');") == ["it's"]


def test_script_written_meta_refresh_stub_is_followed() -> None:
    stub = ("<html><head><script>\n\tvar lm=\"政务公开\"\n\tif(lm==\"政务公开\"){\n\t\tdocument.write('<meta "
            "http-equiv=\"Refresh\" content=\"0;URL=http://www.test.gov.cn/zwgk/gsgg/\" />');\n\t}\n</script></head></html>")
    ex = extract(stub, "http://www.test.gov.cn/zwgk/index.html")
    assert ("http://www.test.gov.cn/zwgk/gsgg/", "", "meta") in ex.links


def test_literal_location_redirect_on_a_stub_page_only() -> None:
    stub = "<html><head><script>window.location.href = './ywyw/';</script></head><body></body></html>"
    assert ("http://www.test.gov.cn/gzdt/ywyw/", "", "meta") in extract(stub, "http://www.test.gov.cn/gzdt/").links
    replace = "<html><body><script>location.replace(\"/xxgk/index.html\")</script></body></html>"
    assert ("http://www.test.gov.cn/xxgk/index.html", "", "meta") in extract(replace, "http://www.test.gov.cn/x/").links
    # a full page's search box assigns location too: not a redirect of the page
    full = ("<html><body><p>" + "区政府召开常务会议研究部署下一阶段重点工作。" * 20 + "</p><script>function go(){"
            "location.href = \"/search.shtml\"; }</script></body></html>")
    assert not [lk for lk in extract(full, "http://www.test.gov.cn/a/").links if lk[2] == "meta"]
    computed = "<html><script>location.href = '/search.html?kw=' + key;</script></html>"
    assert scriptwrite.redirect_target("location.href = '/search.html?kw=' + key;") is None
    assert not extract(computed, "http://www.test.gov.cn/a/").links
