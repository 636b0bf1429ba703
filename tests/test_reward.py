"""The classroom reward model on a small synthetic preference set, with the real MiniLM embeddings."""

import math

import numpy as np
import pytest

from lib import models, reward

TOPICS = ["tea", "sleep", "running", "cooking", "gardening", "reading", "cycling", "painting", "swimming",
          "baking", "chess", "hiking"]


@pytest.fixture(scope="module")
def embed():
    vectors = models.load_embeddings()
    return lambda texts: np.asarray(vectors.embed_documents(texts), dtype=np.float32)


def synthetic(topics):
    """The 'labeller' always prefers a helpful, on-topic answer to a curt refusal."""
    return [reward.Preference(f"Give me advice about {t}.",
                              f"Here are two tips for {t}: start small and practise a little every day.",
                              "No. I will not help with that.") for t in topics]


def test_reward_model_learns_the_preference_and_generalises(embed):
    train, held = synthetic(TOPICS[:8]), synthetic(TOPICS[8:])
    model = reward.fit(train, embed)
    assert reward.accuracy(model, train, embed) == 1.0
    assert reward.accuracy(model, held, embed) == 1.0  # topics it never saw
    assert reward.cross_validated_accuracy(train + held, embed) == 1.0


def test_best_of_n_puts_the_preferred_kind_first(embed):
    model = reward.fit(synthetic(TOPICS[:8]), embed)
    ranked = reward.best_of_n(model, embed, ["No. I will not help with that.",
                                             "Here are two tips for knitting: pick soft yarn and go slowly."])
    assert ranked[0][1].startswith("Here are two tips")
    assert ranked[0][0] > ranked[1][0]


def test_length_feature_follows_a_length_preference(embed):
    prefs = [reward.Preference(f"About {t}?", f"{t} is fun.", f"{t} is fun, and " + "it keeps going on " * 6)
             for t in TOPICS]
    assert reward.fit(prefs, embed).length_weight < 0  # this labeller likes short answers


def test_too_few_choices_get_a_clear_message(embed):
    with pytest.raises(ValueError, match="at least 4"):
        reward.fit(synthetic(TOPICS[:2]), embed)
    assert math.isnan(reward.cross_validated_accuracy(synthetic(TOPICS[:4]), embed))


def test_a_labelling_session_records_choices_skips_and_refits_only_when_a_choice_is_added(embed):
    session, fits = reward.Labelling(["first?", "second?"]), []
    counting = lambda fn, *args: fits.append(fn.__name__) or fn(*args)  # noqa: E731
    for i, topic in enumerate(TOPICS[:5]):
        assert session.prompt == ["first?", "second?"][i % 2] and session.seed(10) == 10 + i
        good, bad = synthetic([topic])[0].chosen, "No. I will not help with that."
        session.offer([bad, good] if i % 2 else [good, bad])
        session.choose(1 if i % 2 else 0)
    session.offer(["a", "b"])
    session.choose(None)  # a skip moves on and records nothing
    assert len(session.prefs) == 5 and session.round == 6 and session.pair is None
    assert all(p.chosen.startswith("Here are") and p.prompt in ("first?", "second?") for p in session.prefs)
    model, held_out = session.model(embed, counting)
    assert session.model(embed, counting)[0] is model and len(fits) == 2  # the same choices: not fit again
    assert held_out == 1.0


def test_held_out_accuracy_is_judged_against_a_coin_with_its_interval():
    from lib import effects

    low, high = effects.share_interval(0.75, 4)
    assert low < 0.5 < 0.75 < high  # four choices cannot tell 75% from a coin
    assert "not measurably better than a coin" in reward.held_out_said(0.75, 4)
    assert "better than a coin, measurably" in reward.held_out_said(0.9, 40)
    assert "measurably worse than a coin" in reward.held_out_said(0.1, 40)
