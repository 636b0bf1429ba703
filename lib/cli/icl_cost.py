"""Seconds and tokens per query for k shots, k retrieved passages and a LoRA adapter, with the adapter's training
time, measured on this machine (lib.icl_cost)."""

from __future__ import annotations

import argparse
import sys

from lib import backends, cli, icl_cost, lora, models, rag, scoreboard


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.icl_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", default="viggo", choices=list(lora.BUNDLED), help="the LoRA way's adapter")
    parser.add_argument("--queries", type=int, default=8, help="queries timed for each way")
    parser.add_argument("--shots", type=int, nargs="+", default=[0, 1, 2, 4, 8])
    parser.add_argument("--passages", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--max-new-tokens", type=int, default=lora.EVAL_TOKENS)
    cli.add_options(parser)  # no engine choice: every way runs on PyTorch (an adapter merges only there)
    args = parser.parse_args(argv)
    base, merged = backends.bundled("reference"), lora.merged_backend(lora.BUNDLED[args.adapter], args.adapter)
    training = lora.run_settings(lora.BUNDLED[args.adapter])
    task = scoreboard.viggo_task(args.queries)
    index = rag.index_of(rag.SAMPLE_DOCS, models.load_embeddings())
    questions = [q["question"] for q in rag.load_questions(rag.SAMPLE_QUESTIONS)]
    run = icl_cost.measure(base, merged, training.get("instruction", lora.INSTRUCTION), task, tuple(args.shots),
                           args.queries, args.max_new_tokens, index, questions, tuple(args.passages))
    summary = icl_cost.summarize(run["rows"], run["timings"])
    result = run | {"summary": summary, "crossing": icl_cost.crossings(summary, training["seconds"]),
                    "adapter": args.adapter,
                    "training_seconds": training["seconds"], "training_steps": training["steps"],
                    "model": base.name, "engine": "float32, PyTorch (the adapter merged into the weights)",
                    "training_from": f"adapters/{args.adapter}/lab_settings.json (recorded when it was trained)",
                    "command": cli.command(parser, argv),
                    "settings": {"engine": "reference", "adapter": args.adapter, "items": args.queries,
                                 "max_new_tokens": args.max_new_tokens, "shots": args.shots,
                                 "passages": args.passages}}
    cli.report(result, args, {k: v for k, v in result.items() if k not in ("rows", "timings")})


if __name__ == "__main__":
    main(sys.argv[1:])
