"""Convert the real ViGGO dataset into the lab's JSONL: one {"input": sentence, "target": meaning representation}
per line, for train, valid and test.

    git clone https://github.com/jjuraska/slug2slug      # ViGGO is its data/video_game/{train,valid,test}.csv
    python data/viggo_real/convert.py --source slug2slug

ViGGO's own direction is meaning representation → sentence (data-to-text); the lab asks the reverse, as the
talk's example does (sentence → the representation a program can read), so `ref` becomes the input and `mr` the
target. Rows are kept in the file's order, whitespace trimmed; nothing is dropped or rewritten, and a row whose
representation the lab's parser cannot read stops the conversion (lib/meaning.py reads every one today).
"""

import argparse
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from lib import meaning  # noqa: E402

SPLITS = ("train", "valid", "test")


def rows(csv_file: Path) -> list[dict]:
    with csv_file.open(encoding="utf-8", newline="") as handle:
        out = [{"input": " ".join(r["ref"].split()), "target": r["mr"].strip()} for r in csv.DictReader(handle)]
    unread = [r["target"] for r in out if meaning.parse(r["target"]) is None]
    if unread:
        raise SystemExit(f"{csv_file}: {len(unread)} representations the parser cannot read, e.g. {unread[0]!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a checkout of github.com/jjuraska/slug2slug")
    args = parser.parse_args()
    for split in SPLITS:
        converted = rows(args.source / "data" / "video_game" / f"{split}.csv")
        (HERE / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in converted),
                                             encoding="utf-8")
        print(f"{split}: {len(converted)} pairs")


if __name__ == "__main__":
    main()
