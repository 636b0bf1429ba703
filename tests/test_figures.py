"""Words from numbers: every figure the prose states is bound to a stored result or a published reference."""

import ast
import json
import re
from pathlib import Path

import pytest

from lib import effects, figures

ROOT = Path(__file__).resolve().parent.parent
# The prose of the data files: the fields that say what a learner should see and why (not settings or titles).
PROSE_FIELDS = {"guide.json": ("expect", "why", "explain", "question", "options"), "talk.json": ("point", "notes"),
                "overview.json": None, "costs.json": ("note", "utilisation_note", "this_cpu_note")}


def _json_strings(value, fields, where="", prose=False):
    if isinstance(value, str):
        if prose:
            yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _json_strings(inner, fields, f"{where}.{key}", prose or fields is None or key in fields)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _json_strings(inner, fields, f"{where}[{i}]", prose)


def _python_strings(path: Path):
    """String constants of a page or ui module with a space in them (prose), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                and " " in node.value.strip():
            yield f":{node.lineno}", node.value


def prose():
    for name, fields in PROSE_FIELDS.items():
        path = ROOT / "data" / name
        for where, text in _json_strings(json.loads(path.read_text(encoding="utf-8")), fields):
            yield f"data/{name}{where}", text
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]):
        for where, text in _python_strings(path):
            yield f"{path.relative_to(ROOT)}{where}", text
    for card in sorted((ROOT / "adapters").glob("*/README.md")):  # the model cards the LoRA page shows
        body = re.sub(r"`[^`]*`", " ", card.read_text(encoding="utf-8").split("\n---\n", 1)[-1])  # commands, paths
        for number, line in enumerate(body.splitlines(), start=1):
            yield f"{card.relative_to(ROOT)}:{number}", line


def test_every_number_in_the_prose_is_bound_to_a_result_or_a_reference():
    typed = [f"{where}: {numbers} in {text[:120]!r}" for where, text in prose()
             if (numbers := figures.unbound_numbers(text))]
    assert typed == [], "\n".join(typed)


def test_every_placeholder_in_the_prose_names_a_stored_figure():
    for where, text in prose():
        try:
            figures.render(text)
        except figures.FigureError as error:
            pytest.fail(f"{where}: {error}")


def test_a_typed_figure_is_caught_and_a_bound_one_is_not():
    assert figures.unbound_numbers("Shots help the chat model here (10% → 36%).") == ["10", "36"]
    assert figures.unbound_numbers("{{prompting/helpdesk#summary.condition=4-shot.accuracy|pct}} on SmolLM2-135M") == []


def test_placeholders_render_the_stored_figure_and_a_wrong_path_says_where_it_stopped():
    stored = figures.result("prompting/helpdesk")
    four = next(s for s in stored["summary"] if s["condition"] == "4-shot")
    assert figures.render("{{prompting/helpdesk#summary.condition=4-shot.accuracy|pct}}") == f"{four['accuracy']:.0%}"
    assert figures.render("{{ref:chain_of_thought.0.after}}") == "56.9"
    said = figures.render("{{effect:prompting/helpdesk#zero-shot>4-shot}}")
    assert said == effects.compare(stored["rows"], "zero-shot", "4-shot", ("hardware", "network", "access")).said()
    with pytest.raises(figures.FigureError, match="stopped at 'condition=9-shot'"):
        figures.render("{{prompting/helpdesk#summary.condition=9-shot.accuracy}}")
    with pytest.raises(figures.FigureError, match="is not stored"):
        figures.render("{{prompting/nothing#items}}")
