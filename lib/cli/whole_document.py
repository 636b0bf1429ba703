"""Top-k retrieved passages against the question's whole source document and against every document pasted in:
fact in the answer, prompt tokens and seconds per question (lib.whole_document)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import backends, cli, effects, models, rag, whole_document
from lib.generation import GenerationSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.whole_document", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=rag.HELDOUT_DOCS, help="a folder with its questions.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--k", type=int, default=rag.DEFAULT_K, help="passages retrieved")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    cli.add_options(parser, "the bundled model's engine")
    args = parser.parse_args(argv)
    backend = backends.bundled(args.engine)
    docs = rag.load_folder(args.docs)
    index = rag.index_of(args.docs, models.load_embeddings())
    questions = rag.load_questions(args.docs / "questions.jsonl")[: args.limit]
    run = whole_document.compare(backend, index, docs, questions, args.k,
                                 GenerationSettings(max_new_tokens=args.max_new_tokens))
    ways = list(dict.fromkeys(r["condition"] for r in run["rows"]))
    result = run | {"items": len(questions), "summary": whole_document.summarize(run["rows"], run["timings"]),
                    "comparisons": [effects.compare(run["rows"], ways[0], way).said() for way in ways[1:]],
                    "model": backend.name, "context_window": backend.context_window,
                    "command": cli.command(parser, argv),
                    "settings": {"engine": args.engine, "k": args.k, "max_new_tokens": args.max_new_tokens,
                                 "items": len(questions), "docs": args.docs.name}}
    cli.report(result, args, {k: v for k, v in result.items() if k not in ("rows", "timings")})


if __name__ == "__main__":
    main(sys.argv[1:])
