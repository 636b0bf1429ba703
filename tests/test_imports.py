"""The library's modules import in one direction: no circle, counting imports inside functions too (a lazy import
hides a circle from Python, not from a reader). The CLIs sit apart, in lib/cli/, on top of everything."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    """The lib modules a file imports, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from lib import rag`
    return found


def graph() -> dict[str, set[str]]:
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in (ROOT / "lib").rglob("*.py")}
    modules = {name.removesuffix(".__init__"): path for name, path in modules.items()}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every circle found by a depth-first walk (each reported once, from where the walk closed it)."""
    found, state = [], {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            walk(node, [node])
    return found


def test_the_library_has_no_import_circles():
    assert circles(graph()) == []


def test_the_circle_finder_finds_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_library_module_imports_a_cli_and_only_lib_cli_parses_arguments():
    edges = graph()
    assert not [name for name, uses in edges.items() if not name.startswith("lib.cli") and
                any(u.startswith("lib.cli") for u in uses)]
    parsing = [p.name for p in (ROOT / "lib").glob("*.py") if "argparse" in imports_of(p)]
    assert parsing == ["serve.py"] or parsing == []  # the launcher reads Streamlit's own flags
