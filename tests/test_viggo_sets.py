"""The two held-out ViGGO sets: the generator's own, and sentences about real games written by people."""

from lib import lora, meaning

ACTS, SLOTS = set(meaning.ACTS), set(meaning.SLOTS)


def test_the_people_set_is_varied_well_formed_and_apart_from_training():
    people = lora.load_pairs(lora.TEST_SETS["people"])
    train = lora.load_pairs(lora.TRAIN_FILE)
    assert len(people) >= 60 and len({p["input"] for p in people}) == len(people)
    parsed = [meaning.parse(p["target"]) for p in people]
    assert all(parsed) and {act for act, _ in parsed} == ACTS  # all nine dialogue acts
    assert set().union(*(slots for _, slots in parsed)) == SLOTS  # and all fourteen slots
    assert not {p["input"] for p in people} & {t["input"] for t in train}
    # Real games, none of the generator's invented names: the adapter can't have met them in training.
    train_names = {v for _, slots in map(meaning.parse, (t["target"] for t in train)) for v in slots.get("name", ())}
    assert not train_names & {v for _, slots in parsed for v in slots.get("name", ())}
    lengths = sorted(len(p["input"].split()) for p in people)
    assert lengths[0] <= 8 and lengths[-1] >= 30  # short questions and long descriptions


def test_the_dev_set_shares_no_game_with_the_people_set_or_training():
    """dev.jsonl is what the generator's templates were tuned against, so it must not overlap the held-out people set."""
    def names(pairs):
        return {v for _, slots in map(meaning.parse, (p["target"] for p in pairs)) for v in slots.get("name", ())}

    dev, people = lora.load_pairs(lora.DEV_FILE), lora.load_pairs(lora.TEST_SETS["people"])
    assert len(dev) >= 40 and all(meaning.parse(p["target"]) for p in dev)
    assert {act for act, _ in map(meaning.parse, (p["target"] for p in dev))} == ACTS
    assert names(dev) and not names(dev) & names(people) and not names(dev) & names(lora.load_pairs(lora.TRAIN_FILE))
    assert not {p["input"] for p in dev} & {p["input"] for p in people}


def test_the_real_viggo_splits_are_the_authors_whole_and_apart():
    """data/viggo_real: ViGGO's own train / valid / test (Juraska et al. 2019), every row read by the lab's parser."""
    real = {split: lora.load_pairs(lora.REPO_ROOT / "data" / "viggo_real" / f"{split}.jsonl")
            for split in ("train", "valid", "test")}
    assert {split: len(pairs) for split, pairs in real.items()} == {"train": 5103, "valid": 714, "test": 1083}
    for pairs in real.values():
        parsed = [meaning.parse(p["target"]) for p in pairs]
        assert all(parsed) and {act for act, _ in parsed} == ACTS  # every act in every split
        assert set().union(*(slots for _, slots in parsed)) <= SLOTS
    train = {p["input"] for p in real["train"]}
    assert not train & {p["input"] for p in real["test"]} and not train & {p["input"] for p in real["valid"]}
