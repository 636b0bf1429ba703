"""Force the model's second choice where its answer states a fact, and see whether it finds its way back
(lib.forced_token): the RAG questions of one or more document folders, the bundled chat model on PyTorch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import backends, cli, forced_token, models, rag


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.forced_token", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, nargs="+", default=[rag.SAMPLE_DOCS, rag.HELDOUT_DOCS],
                        help="document folders, each with its questions.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions of each folder")
    parser.add_argument("--k", type=int, default=rag.DEFAULT_K, help="passages put in front of each question")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    cli.add_options(parser)  # no engine choice: probabilities come from PyTorch
    args = parser.parse_args(argv)
    backend, embeddings, rows = backends.bundled("reference"), models.load_embeddings(), []
    for folder in args.docs:
        index = rag.index_of(folder, embeddings)
        questions = rag.load_questions(folder / "questions.jsonl")[: args.limit]
        rows += forced_token.run(backend, index, questions, args.k, args.max_new_tokens)["rows"]
    result = {"items": len(rows), "rows": rows} | forced_token.summarize(rows)
    result |= {"command": cli.command(parser, argv), "model": backend.name, "engine": "float32, PyTorch",
               "decoding": "greedy", "settings": {"engine": "reference", "k": args.k,
                                                  "max_new_tokens": args.max_new_tokens, "items": len(rows),
                                                  "docs": [folder.name for folder in args.docs]}}
    cli.report(result, args)


if __name__ == "__main__":
    main(sys.argv[1:])
