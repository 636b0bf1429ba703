"""The lab's command lines: each makes a result the pages show with the same library code, one module per job.

    python -m lib.cli.prompting eval --task intent --shots 4 --seeds 3 --json
    python -m lib.cli.rag eval --docs data/rag_heldout --json
    python -m lib.cli.lora eval --adapter viggo --set people --json
    python -m lib.cli.form_fact eval --set heldout --json
    python -m lib.cli.scoreboard --items 40 --seeds 3 --json
    python -m lib.cli.replays --save data/results/talk/replays.json
    python -m lib.cli.forced_token --json
    python -m lib.cli.icl_cost --json
    python -m lib.cli.whole_document --json
    python -m lib.cli.sft eval --json
    python -m lib.cli.experiments [NAME ...] [--list]       # every stored result (`make results`)

They live apart from the library so that no library module imports the modules built on it (a CLI needs the
whole stack; a library module needs only what it builds on). Each `main(argv)` writes the whole result with
`--save PATH` (data/experiments.json names each one's arguments) and prints its summary.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_options(parser: argparse.ArgumentParser, engine_help: str | None = None) -> None:
    """The options every experiment's CLI shares: --engine (when it has a choice), --save PATH, --json."""
    from lib.settings import ENGINES

    if engine_help:
        parser.add_argument("--engine", choices=ENGINES, default="fast", help=engine_help)
    parser.add_argument("--save", type=Path, default=None, help="also write the full result (rows included) here")
    parser.add_argument("--json", action="store_true", help="print the summary as one line of JSON")


def command(parser: argparse.ArgumentParser, argv: list[str] | None) -> str:
    """The command line that made a result, as stored with it."""
    return f"python -m {parser.prog} " + " ".join(argv or [])


def report(result: dict, args: argparse.Namespace, summary: dict | None = None) -> None:
    """Every experiment CLI's ending: the whole result to `--save PATH`; the summary (the result without its rows
    unless given) to stdout, as one line with `--json`."""
    if args.save:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    summary = summary if summary is not None else {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))
