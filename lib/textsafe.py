"""Showing user and model text as text: nothing in it may become markup, links or HTML.

    >>> print(escape_markdown("<b>hi</b> **x**"))
    \\<b\\>hi\\</b\\> \\*\\*x\\*\\*

Streamlit already drops raw HTML from markdown; escaping also stops headings,
links, images and emphasis, so a document or an answer shows exactly as written.
"""

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def escape_markdown(text: str) -> str:
    # Two trailing spaces keep the writer's line breaks, which markdown would otherwise fold.
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
