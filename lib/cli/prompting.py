"""Accuracy of zero-shot vs k-shot (and chain-of-thought) prompting on a task (lib.prompting)."""

from __future__ import annotations

import argparse
import sys

from lib import backends, cli, models, prompting, tasks


def backend_for(model: str, method: str, engine: str):
    """The chat model on the chosen engine (option scoring runs on its PyTorch twin), or the pretrained base."""
    if model == "base":
        return backends.LocalBackend(models.load_pretrained_base())
    return backends.bundled("reference" if method == "options" else engine)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.prompting", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="accuracy of zero-shot vs k-shot (and chain-of-thought) on a task")
    ev.add_argument("--task", required=True, help=f"built in ({', '.join(tasks.builtin_names())}) or a task file")
    ev.add_argument("--shots", type=int, default=4)
    ev.add_argument("--cot", action="store_true", help="add zero-shot and few-shot chain-of-thought")
    ev.add_argument("--labels", action="store_true",
                    help="add k shots with random labels and with no labels (what shots teach: Min et al. 2022)")
    ev.add_argument("--seeds", type=int, default=3)
    ev.add_argument("--limit", type=int, default=None, help="only the first N test items")
    ev.add_argument("--max-new-tokens", type=int, default=None, help="default: 48, or 200 with --cot")
    ev.add_argument("--method", choices=prompting.METHODS, default="generate",
                    help="; ".join(f"{k}: {v}" for k, v in prompting.METHODS.items()))
    ev.add_argument("--model", choices=prompting.MODELS, default="chat",
                    help="; ".join(f"{k}: {v}" for k, v in prompting.MODELS.items()))
    cli.add_options(ev, "the chat model on onnxruntime (4-bit, the app's default) or PyTorch (float32); "
                        "option scoring and the base model always run on PyTorch")
    args = parser.parse_args(argv)

    task = tasks.load(args.task)
    budget = args.max_new_tokens or prompting.default_budget(args.cot)
    chosen = backend_for(args.model, args.method, args.engine)
    conditions = prompting.default_conditions(args.shots, args.cot) + (
        prompting.label_conditions(args.shots) if args.labels else [])
    result = prompting.evaluate(task, conditions, args.seeds,
                                prompting.answerer(chosen, task, args.method, budget), args.limit)
    settings = prompting.settings_of(args.engine, args.method, args.model, budget, result["items"], args.seeds,
                                     args.shots, args.labels)
    result |= {"model": chosen.name, "engine": chosen.engine, "max_new_tokens": settings["max_new_tokens"],
               "decoding": "greedy", "prompt_format": chosen.style, "command": cli.command(parser, argv),
               "settings": settings}
    cli.report(result, args)


if __name__ == "__main__":
    main(sys.argv[1:])
