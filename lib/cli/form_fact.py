"""Fine-tune for form, retrieve for fact: train the read-and-answer adapter, or score the four ways (lib.form_fact)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from lib import backends, cli, form_fact, lora, lora_training, models, rag
from lib.lora_serving import LoraServer
from lib.models import REPO_ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.form_fact", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    config = form_fact.TRAIN_CONFIG
    tr = sub.add_parser("train", help=f"train the bundled form adapter into {form_fact.ADAPTER.relative_to(REPO_ROOT)}")
    tr.add_argument("--out", type=Path, default=form_fact.ADAPTER)
    tr.add_argument("--base-model", default=config.base_model, help="see lora_training.TrainConfig")
    tr.add_argument("--b-lr-ratio", type=float, default=config.b_lr_ratio, help="LoRA+ (see TrainConfig)")
    ev = sub.add_parser("eval", help="the questions answered four ways, scored for fact and form")
    ev.add_argument("--adapter", type=Path, default=form_fact.ADAPTER, help="a read-and-answer adapter folder")
    ev.add_argument("--set", choices=list(rag.DOC_SETS), default="sample", help="which documents and questions")
    ev.add_argument("--limit", type=int, default=None, help="only the first N questions")
    cli.add_options(ev, "the engine of the ways without the adapter (the adapter runs on PyTorch)")
    args = parser.parse_args(argv)
    if args.command == "train":
        config = dataclasses.replace(config, base_model=args.base_model, b_lr_ratio=args.b_lr_ratio)
        log = lora_training.train(config, lora.load_pairs(form_fact.TRAIN_FILE), args.out, lora_training.print_progress)
        print(json.dumps({"out": str(args.out), "seconds": round(log.seconds, 1), "final_loss": log.losses[-1]}))
        return
    adapted = LoraServer({"form": args.adapter}, lora.base_model_of(args.adapter)).backend("form")
    base = backends.bundled(args.engine)
    docs = rag.DOC_SETS[args.set]
    index = rag.index_of(docs, models.load_embeddings())
    questions = rag.load_questions(docs / "questions.jsonl")[: args.limit]
    result = form_fact.evaluate(index, questions, base, adapted)
    result |= {"engines": {"base": base.engine, "adapter": "float32, PyTorch + LoRA"},
               "max_new_tokens": form_fact.ANSWER_TOKENS, "decoding": "greedy", "command": cli.command(parser, argv),
               "settings": {"engine": args.engine, "max_new_tokens": form_fact.ANSWER_TOKENS, "items": len(questions),
                            "set": args.set}}
    cli.report(result, args, result["summary"])


if __name__ == "__main__":
    main(sys.argv[1:])
