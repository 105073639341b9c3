"""The rich text allow-list: scripts, event handlers and javascript: links never reach the portal."""

from __future__ import annotations

from gongkai.publications.sanitize import clean_html, html_to_text, text_to_html


def test_scripts_handlers_and_unsafe_links_are_stripped() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">点我</a><a href="JaVaScRiPt:alert(1)">再点</a>'
        '<a href="data:text/html,<script>x</script>">数据</a>'
        '<a href="https://www.gov.cn/" target="_blank" onmouseover="x()">中国政府网</a>'
        '<img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe><style>p{}</style>'
    )
    clean = clean_html(dirty)
    for bad in ("<script", "alert", "onclick", "onmouseover", "onerror", "javascript:", "data:", "<img", "<iframe",
                "style", "target"):  # fmt: skip
        assert bad not in clean.lower()
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer nofollow">中国政府网</a>' in clean
    assert clean.startswith("<p>正文</p>")


def test_structure_is_kept() -> None:
    rich = (
        "<h2>一、总则</h2><p><strong>第一条</strong> 为了<em>规范</em><u>管理</u>。</p>"
        "<ol><li>甲</li></ol><ul><li>乙</li></ul>"
        '<table><thead><tr><th colspan="2">表头</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>'
        '<p>邮箱<a href="mailto:gk@example.cn">gk@example.cn</a><br>电话</p><h5>五级</h5>'
    )
    clean = clean_html(rich)
    assert clean.startswith("<h2>一、总则</h2><p><strong>第一条</strong> 为了<em>规范</em><u>管理</u>。</p>")
    assert '<th colspan="2">表头</th>' in clean
    assert "<ol><li>甲</li></ol>" in clean
    assert 'href="mailto:gk@example.cn"' in clean
    assert "<h5>" not in clean
    assert "五级" in clean


def test_html_to_text_and_back() -> None:
    text = html_to_text(
        "<h2>标题</h2><p>第一段\n  续行 &amp; 符号</p><ul><li>甲</li><li>乙</li></ul>"
        "<table><tr><th>a</th><td>b</td></tr></table><p>x<br>y</p>"
    )
    assert text == "标题\n第一段 续行 & 符号\n甲\n乙\na\tb\nx\ny"
    assert text_to_html("a<b\n\n c ") == "<p>a&lt;b</p><p>c</p>"
    assert html_to_text(text_to_html("一\n二")) == "一\n二"
