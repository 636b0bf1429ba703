"""The pages' own words, kept as data and read through their schemas (lib.schema), once per process.

    overview().options[0].title          # the first of the three ways, as data/overview.json words it
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from lib import schema
from lib.models import REPO_ROOT
from lib.schema import Required

DATA = REPO_ROOT / "data"


class ContentError(ValueError):
    """One of the lab's own content files is broken; the message names the file and the field."""


class Way(schema.Record):
    title: Required
    cost: Required
    text: Required
    pages: tuple[Required, ...] = Field(min_length=1)  # the lab's pages for it, as app.py names them


class Overview(schema.Record):
    intro: Required
    options: tuple[Way, ...] = Field(min_length=3, max_length=3)  # train, tune, prompt
    summary: Required
    summary_page: Required
    engines: Required


class SftRlhf(schema.Record):
    sft_prompts: tuple[Required, ...] = Field(min_length=1)  # requests the SFT page offers
    rlhf_prompts: tuple[Required, ...] = Field(min_length=1)  # what the learner labels on the RLHF panel
    full_rlhf: tuple[Required, ...] = Field(min_length=1)  # the steps of RLHF proper, as a list


@lru_cache(maxsize=None)
def overview() -> Overview:
    return schema.load(DATA / "overview.json", Overview, ContentError)


@lru_cache(maxsize=None)
def sft_rlhf() -> SftRlhf:
    return schema.load(DATA / "sft_rlhf.json", SftRlhf, ContentError)
