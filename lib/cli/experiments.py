"""Make every stored result again (or the named ones) from the code: data/experiments.json lists them
(lib.experiments); `make results` runs it."""

from __future__ import annotations

import argparse
import os
import sys
import time

from lib import experiments
from lib.models import REPO_ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lib.cli.experiments", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these (default: all)")
    parser.add_argument("--list", action="store_true", help="print the experiments and their commands, run nothing")
    args = parser.parse_args(argv)
    chosen = [e for e in experiments.all_experiments() if not args.names or e.name in args.names]
    if args.list or not chosen:
        for e in chosen or experiments.all_experiments():
            print(f"{e.name:22} ~{e.minutes:g} min  {e.command}")
        return
    os.chdir(REPO_ROOT)  # the saved commands name the result files from here
    for e in chosen:
        print(f"{e.name}: {e.command}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        e.result_file.parent.mkdir(parents=True, exist_ok=True)
        e.run(e.result_file.relative_to(REPO_ROOT))
        print(f"{e.name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
