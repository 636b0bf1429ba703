"""Record the talk's live demos for replay on stage (lib.replays)."""

from __future__ import annotations

import argparse
import sys

from lib import cli, replays, talk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.replays", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", nargs="*", default=None, help="only these step ids (default: every demo)")
    cli.add_options(parser)
    args = parser.parse_args(argv)
    steps = [s for s in talk.load() if s.demo and (args.steps is None or s.id in args.steps)]
    recorded, rows = {}, []
    for step in steps:
        recorded[step.id] = replays.record(step)
        rows += [{"step": step.id, "stream": n, "title": s["title"], "text": replays.text_of(s)}
                 for n, s in enumerate(recorded[step.id]["streams"])]
        print(f"{step.id}: {len(recorded[step.id]['streams'])} stream(s) in {recorded[step.id]['seconds']} s",
              file=sys.stderr)
    # Each stream keeps the generation settings it ran with: the sidebar's defaults, or the page's own.
    result = {"settings": {"engine": "fast", "sidebar": "defaults", "decoding": "greedy"},
              "command": cli.command(parser, argv), "rows": rows, "replays": recorded}
    cli.report(result, args, {step: {"streams": len(r["streams"]), "seconds": r["seconds"]}
                              for step, r in recorded.items()})


if __name__ == "__main__":
    main(sys.argv[1:])
