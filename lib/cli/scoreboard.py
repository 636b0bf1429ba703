"""One task through every technique: the ViGGO-style held-out set, from zero-shot prompting to a LoRA adapter
(lib.scoreboard)."""

from __future__ import annotations

import argparse
import sys

from lib import backends, cli, models, scoreboard
from lib.lora_serving import server_holding


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.scoreboard", description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40, help="held-out sentences (of 120 generated, 64 written by people)")
    parser.add_argument("--seeds", type=int, default=3, help="shot samplings for the few-shot rungs")
    parser.add_argument("--set", choices=scoreboard.SETS, default="generated", help="which held-out sentences")
    parser.add_argument("--rungs", nargs="+", choices=[r.name for r in scoreboard.RUNGS], metavar="RUNG",
                        default=[r.name for r in scoreboard.RUNGS], help="only these rungs (default: every one)")
    cli.add_options(parser, "the engine of the prompting rungs (the LoRA rung runs on PyTorch)")
    args = parser.parse_args(argv)
    chat = backends.bundled(args.engine)
    result = scoreboard.run(args.items, args.seeds, chat, server_holding(scoreboard.ADAPTER).backend(scoreboard.ADAPTER),
                            models.load_embeddings(), held_out=args.set,
                            rungs=tuple(r for r in scoreboard.RUNGS if r.name in args.rungs),
                            progress=lambda f: print(f"{f:.0%}", file=sys.stderr, flush=True))
    result |= {"engines": {"prompting rungs": chat.engine, "LoRA rung": "float32, PyTorch + LoRA"},
               "decoding": "greedy", "command": cli.command(parser, argv),
               "settings": {"engine": args.engine, "max_new_tokens": scoreboard.ANSWER_TOKENS, "items": result["items"],
                            "seeds": args.seeds, "set": args.set}}
    cli.report(result, args, {"items": result["items"], "seeds": result["seeds"], "summary": result["summary"]})


if __name__ == "__main__":
    main(sys.argv[1:])
