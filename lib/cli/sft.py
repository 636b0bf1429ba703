"""SFT as one model before and after (lib.sft): train the instruction-following adapter on Gemma 3 270M, or judge
the base model and the same model with the adapter on the held-out requests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import cli, lora, lora_serving, lora_training, sft
from lib.generation import GenerationSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.sft", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help=f"train the adapter into {sft.ADAPTER.relative_to(sft.REPO_ROOT)}")
    tr.add_argument("--out", type=Path, default=sft.ADAPTER)
    ev = sub.add_parser("eval", help="both models on the held-out requests, judged by lib.sft's rubric")
    ev.add_argument("--limit", type=int, default=None, help="only the first N requests")
    ev.add_argument("--max-new-tokens", type=int, default=sft.MAX_NEW_TOKENS)
    cli.add_options(ev)
    args = parser.parse_args(argv)
    if args.command == "train":
        log = lora_training.train(sft.TRAINING, lora.load_pairs(sft.TRAIN_FILE), args.out, lora_training.print_progress)
        print(f"trained in {log.seconds:.0f} s, final loss {log.losses[-1]:.3f}: {args.out}")
        return
    server = lora_serving.server_holding("sft")
    requests = sft.load_requests()[: args.limit]
    run = sft.evaluate(requests, server.backend(None, to_the_end=True), server.backend("sft"),
                       GenerationSettings(max_new_tokens=args.max_new_tokens))
    result = run | {"items": len(requests), "base_model": sft.BASE_MODEL, "adapter": "sft",
                    "instruction": sft.INSTRUCTION, "decoding": "greedy", "command": cli.command(parser, argv),
                    "settings": {"engine": "reference", "max_new_tokens": args.max_new_tokens,
                                 "items": len(requests)}}
    cli.report(result, args)


if __name__ == "__main__":
    main(sys.argv[1:])
