"""The engines compared on this machine (written by `python bench/run.py --save`), shaped for the Overview page.

What this leaves out: measuring (that is the benchmark's job, so the page never blocks on it).
"""

from __future__ import annotations

import json

from lib.models import REPO_ROOT

RESULT_FILE = REPO_ROOT / "data" / "results" / "engines.json"


def load() -> dict | None:
    return json.loads(RESULT_FILE.read_text(encoding="utf-8")) if RESULT_FILE.is_file() else None


def table(result: dict) -> list[dict]:
    """One row an engine: what it reads per token, how fast it decodes, how often it is right."""
    rows = []
    for engine in result["engines"]:
        row = {"engine": engine["engine"], "weights read per token (MB)": engine.get("weight_mb"),
               "tokens/s": engine.get("decode_tok_s")}
        row |= {f"{task}: {condition}": value for task, conditions in engine.get("accuracy", {}).items()
                for condition, value in conditions.items()}
        rows.append(row)
    return rows


def caption(result: dict) -> str:
    s = result["settings"]
    when = f", {result['date']}" if "date" in result else ""
    return (f"Measured by `{result['command']}` on {result['cpu']} ({result['threads']} threads{when}): greedy decoding of "
            f"{s['new_tokens']} new tokens; accuracy on the held-out items of each task ({s['items']}, "
            f"{s['seeds']} shot samplings, {s['max_new_tokens']} new tokens), scored as on the prompting pages.")
