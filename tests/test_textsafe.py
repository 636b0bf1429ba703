from lib.textsafe import escape_markdown


def test_markup_is_escaped_so_it_shows_as_written():
    escaped = escape_markdown("<script>alert(1)</script> # Title [link](http://x) **bold**")
    for raw in ("<script>", "[link](", "**bold**"):
        assert raw not in escaped
    assert "\\# Title" in escaped
    assert escaped.replace("\\", "") == "<script>alert(1)</script> # Title [link](http://x) **bold**"


def test_line_breaks_survive():
    assert escape_markdown("one\ntwo") == "one  \ntwo"
