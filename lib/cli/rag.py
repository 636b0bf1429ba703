"""Evaluate RAG on a folder of documents: hit-rate@k, fact in the answer with and without retrieval, and every
prompt style (lib.rag)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import backends, cli, form_fact, models, rag
from lib.generation import GenerationSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.rag", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="hit-rate@k and answer accuracy with and without retrieval")
    st = sub.add_parser("styles", help="fact-in-answer for every prompt style (passages, their order, answer or quote)")
    for p in (ev, st):
        p.add_argument("--docs", type=Path, default=rag.SAMPLE_DOCS)
        p.add_argument("--questions", type=Path, default=None, help="default: the docs folder's questions.jsonl")
        p.add_argument("--limit", type=int, default=None, help="only the first N questions")
        p.add_argument("--chunk-tokens", type=int, default=rag.CHUNK_TOKENS)
        p.add_argument("--overlap-tokens", type=int, default=rag.OVERLAP_TOKENS)
        p.add_argument("--max-new-tokens", type=int, default=48)
    ev.add_argument("--k", type=int, default=None,
                    help=f"passages retrieved (default: {rag.DEFAULT_K} for the chat model, the reader's own 3)")
    ev.add_argument("--retrieval-only", action="store_true", help="skip generating answers")
    # The best measured configuration is the default: the read-and-answer adapter (form_fact's results).
    ev.add_argument("--reader", action=argparse.BooleanOptionalAction, default=True,
                    help="answer with the read-and-answer adapter (PyTorch + LoRA, greedy) and score its form too; "
                         "--no-reader: the bundled chat model on --engine")
    for p in (ev, st):
        cli.add_options(p, "the bundled model's engine")
    args = parser.parse_args(argv)

    index = rag.build_index(rag.split(rag.load_folder(args.docs), args.chunk_tokens, args.overlap_tokens),
                            models.load_embeddings())
    questions = rag.load_questions(args.questions or args.docs / "questions.jsonl")[: args.limit]
    # Only `eval` has --reader, and it needs answers.
    reader = getattr(args, "reader", False) and not getattr(args, "retrieval_only", False)
    chosen, max_new_tokens = None, form_fact.ANSWER_TOKENS if reader else args.max_new_tokens
    if reader:
        from lib.lora_serving import server_holding

        chosen = server_holding("form").backend("form")
    elif not getattr(args, "retrieval_only", False):
        chosen = backends.bundled(args.engine)
    settings = GenerationSettings(max_new_tokens=max_new_tokens)
    if args.command == "styles":
        result = rag.styles(index, questions, chosen, settings)
    else:
        result = rag.evaluate(index, questions, args.k or (form_fact.K if reader else rag.DEFAULT_K), chosen, settings)
    if reader:
        forms = [form_fact.score(row["answer_rag"], row["answer"])["form"] for row in result["rows"]]
        result["form_rag"] = sum(forms) / len(forms)
    result |= {"command": cli.command(parser, argv),
               "settings": {"engine": "reference" if reader else args.engine, "max_new_tokens": max_new_tokens,
                            "items": len(questions), "chunk_tokens": args.chunk_tokens,
                            "overlap_tokens": args.overlap_tokens}
               | ({"reader": "read-and-answer adapter"} if reader else {})}
    cli.report(result, args)


if __name__ == "__main__":
    main(sys.argv[1:])
