"""Train a LoRA adapter on the ViGGO-style data, or measure one against its base model (lib.lora)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from lib import cli, experiments, lora, lora_training
from lib.lora_serving import LoraServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.lora", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train an adapter on the ViGGO-style data (or --data FILE.jsonl ...)")
    tr.add_argument("--data", type=Path, nargs="+", default=[lora.TRAIN_FILE],
                    help="one or more JSONL files; their pairs are joined in the order given")
    tr.add_argument("--out", type=Path, default=lora.BUNDLED["viggo"])
    for name, value in asdict(lora_training.TrainConfig()).items():
        if name != "targets":
            tr.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    tr.add_argument("--targets", default=",".join(lora_training.TrainConfig().targets))
    ev = sub.add_parser("eval", help="exact match and slot F1 for base and adapter")
    ev.add_argument("--adapter", default="viggo", help="a bundled adapter name or an adapter folder")
    ev.add_argument("--set", choices=list(lora.EVAL_SETS), default="generated", help="which held-out sentences")
    ev.add_argument("--limit", type=int, default=None, help="only the first N pairs")
    ev.add_argument("--adapter-only", action="store_true", help="skip the base model (choosing among adapters)")
    cli.add_options(ev)  # no engine choice: adapters run on PyTorch
    ch = sub.add_parser("choose", help="which of two adapters' stored valid runs is higher, and is it measurable")
    ch.add_argument("runs", nargs=2, metavar="RUN", help="stored results, e.g. lora/viggo-real-valid")
    args = parser.parse_args(argv)
    if args.command == "choose":
        runs = {name: experiments.load(name) for name in args.runs}
        if None in runs.values():
            parser.error(f"not a stored result: {', '.join(n for n, r in runs.items() if r is None)}")
        chosen, effect = lora.choose(runs)
        print(json.dumps({"chosen": chosen, "said": effect.said()}, ensure_ascii=False))
        return
    if args.command == "train":
        fields = {k: getattr(args, k) for k in asdict(lora_training.TrainConfig()) if k != "targets"}
        config = lora_training.TrainConfig(**fields, targets=tuple(args.targets.split(",")))
        pairs = [pair for path in args.data for pair in lora.load_pairs(path)]
        log = lora_training.train(config, pairs, args.out, lora_training.print_progress)
        print(json.dumps({"out": str(args.out), "seconds": round(log.seconds, 1), "final_loss": log.losses[-1]}))
        return
    path = lora.BUNDLED.get(args.adapter, Path(args.adapter))
    server = LoraServer({"adapter": path}, lora.base_model_of(path))
    pairs = lora.load_pairs(lora.EVAL_SETS[args.set])[: args.limit]
    result = lora.evaluate(None if args.adapter_only else server.backend(None), server.backend("adapter"), pairs)
    result |= {"adapter": str(args.adapter), "engine": "float32, PyTorch + LoRA", "decoding": "greedy",
               "base_model": server.base_name, "base_parameters": lora.base_parameters(server.model),
               "per_act": lora.per_act(result["lora"]["rows"]), "command": cli.command(parser, argv),
               "settings": {"engine": "reference", "max_new_tokens": lora.EVAL_TOKENS, "items": len(pairs),
                            "set": args.set}}
    cli.report(result, args, {"items": result["items"], "adapter": result["adapter"], "per_act": result["per_act"]} |
               {part: {k: v for k, v in result[part].items() if k != "rows"} for part in ("base", "lora") if part in result})


if __name__ == "__main__":
    main(sys.argv[1:])
