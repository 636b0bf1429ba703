"""SFT as one model before and after: pretrained-only Gemma 3 270M, then the same model after a short supervised
fine-tune (a LoRA adapter, `adapters/sft`) on a small instruction set written for the lab, judged on requests the
tuning never saw by a rubric stated in code.

    >>> requests = load_requests()                       # data/sft/heldout.jsonl: request, form, about
    >>> result = evaluate(requests, before, after, GenerationSettings(max_new_tokens=MAX_NEW_TOKENS))
    >>> result["summary"], result["comparison"]["said"]

The rubric (`judge`), each part yes or no, an answer passing only when all three hold:
  - on topic: it names at least one of the request's `about` words (a crude test of "answers the request": it
    cannot tell a right answer from a wrong one on the same topic);
  - right form: the shape the request asks for (`FORMS`): a short answer, one sentence, several sentences, or a
    list of N items;
  - stops: it ended on its own before the token budget, without writing a new "Input:"/"Output:" turn and without
    repeating the request (what a model that only continues text does).

Both models read the same prompt (the instruction, then `Input: <request>` and `Output:`) and decode greedily with
the same budget, to the end-of-text token: the base model is not cut at its first line break here, as the lab's
other pages cut it, because running on past its answer is the failure this measures.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, model_validator

from lib import effects, lora_training, schema
from lib.models import REPO_ROOT

TRAIN_FILE = REPO_ROOT / "data" / "sft" / "train.jsonl"
HELDOUT_FILE = REPO_ROOT / "data" / "sft" / "heldout.jsonl"
ADAPTER = REPO_ROOT / "adapters" / "sft"
BASE_MODEL = "gemma-3-270m"
INSTRUCTION = "Answer the request."
MAX_NEW_TOKENS = 96
FORMS = {"short": "a short answer (six words at most)", "sentence": "one sentence",
         "sentences": "two sentences or more, no list", "list:N": "a list of exactly N items, one a line"}
BEFORE, AFTER = "before (pretrained only)", "after (+ SFT adapter)"
CRITERIA = ("on topic", "right form", "stops")
# One run, not tuned: the settings of the bundled read-and-answer adapter on the same base model (adapters/form),
# fewer steps for a smaller set (its 48 pairs seen five times over, in shuffled epochs).
TRAINING = lora_training.TrainConfig(base_model=BASE_MODEL, instruction=INSTRUCTION, steps=60, batch_size=4,
                                     examples=48, learning_rate=2e-3, b_lr_ratio=1.0, sampling="epochs",
                                     sample_every=10)


class Request(schema.Record):
    """A held-out request: what is asked, the form the answer should take (FORMS) and words an answer on its topic
    names (any one of them)."""
    input: schema.Required
    form: schema.Required
    about: tuple[schema.Required, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _a_known_form(self):
        if not (self.form in FORMS or re.fullmatch(r"list:[1-9]\d?", self.form)):
            raise ValueError(f'"form" is one of short, sentence, sentences or list:N, not {self.form[:20]!r}')
        return self


def load_requests(path: Path = HELDOUT_FILE) -> list[Request]:
    return load_requests_from(path.read_text(encoding="utf-8"))


def load_requests_from(text: str) -> list[Request]:
    """JSONL of {"input", "form", "about"}; raises ValueError naming the first bad line."""
    return [row for _, row in schema.jsonl(text, Request, ValueError)]


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def sentences(text: str) -> int:
    """Sentences in a text: ends of sentences, or one for a text with words and no end mark."""
    return len(_SENTENCE_END.findall(text.strip())) or (1 if text.strip() else 0)


def list_items(text: str) -> int:
    return sum(1 for line in text.splitlines() if _LIST_ITEM.match(line))


def right_form(answer: str, form: str) -> bool:
    answer = answer.strip()
    if not answer:
        return False
    if form == "short":
        return len(answer.split()) <= 6
    if form == "sentence":
        return sentences(answer) == 1 and list_items(answer) == 0 and "\n" not in answer
    if form == "sentences":
        return sentences(answer) >= 2 and list_items(answer) == 0
    if form.startswith("list:"):
        wanted = int(form.removeprefix("list:"))
        lines = [line for line in answer.splitlines() if line.strip()]
        return list_items(answer) == wanted == len(lines)
    raise ValueError(f"unknown form {form!r}: one of {', '.join(FORMS)}")


def on_topic(answer: str, about: tuple[str, ...]) -> bool:
    return any(re.search(r"\b" + re.escape(word.lower()), answer.lower()) for word in about)


def stops(answer: str, request: str, answer_tokens: int, budget: int) -> bool:
    """Ended on its own (fewer tokens than the budget), wrote no new turn, and did not echo the request."""
    new_turn = re.search(r"(?:^|\n)\s*(?:Input|Output)\s*:", answer) is not None
    echoed = answer.strip().lower().startswith(request.strip().lower())
    return answer_tokens < budget and not new_turn and not echoed


def judge(answer: str, request: Request, answer_tokens: int, budget: int) -> dict:
    marks = {"on topic": on_topic(answer, request.about), "right form": right_form(answer, request.form),
             "stops": stops(answer, request.input, answer_tokens, budget)}
    return marks | {"score": float(all(marks.values()))}


def messages(request: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": request}]


def evaluate(requests: list[Request], before, after, settings) -> dict:
    """Every request answered by both backends (lib.backends), judged; per model the share passing each part of
    the rubric and all of it, and after against before by lib.effects' rule (a paired bootstrap over requests)."""
    rows = []
    for model, backend in ((BEFORE, before), (AFTER, after)):
        answers = backend.answer_all([messages(r.input) for r in requests], settings)
        for request, answer in zip(requests, answers):
            tokens = backend.count_tokens(answer)
            rows.append({"model": model, "input": request.input, "form": request.form, "output": answer,
                         "answer_tokens": tokens} | judge(answer, request, tokens, settings.max_new_tokens))
    return {"rows": rows, "summary": summarize(rows),
            "comparison": effects.compare(rows, BEFORE, AFTER, by="model").as_dict()}


def summarize(rows: list[dict]) -> list[dict]:
    """Per model: the share of requests passing each criterion and all three, with the 95 % interval of the last."""
    out = []
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        low, high = effects.interval(rows, model, by="model")
        out.append({"model": model, "items": len(mine),
                    **{c: sum(r[c] for r in mine) / len(mine) for c in CRITERIA},
                    "all three": sum(r["score"] for r in mine) / len(mine), "all three_low": low,
                    "all three_high": high})
    return out
