"""The cost calculator against values worked out by hand."""

import pytest

from lib import costs


def test_training_flops_rule_of_thumb():
    assert costs.training_flops(70e9, 2e12) == pytest.approx(8.4e23)  # 6 × 70e9 × 2e12
    assert costs.training_flops(134_515_008, 2e12) == pytest.approx(1.614180096e21)
    assert costs.training_flops(1e9, 1e6, "lora") == pytest.approx(4e15)
    assert costs.training_flops(1e9, 500, "prompt") == pytest.approx(1e12)


def test_gpu_hours_days_dollars_energy_by_hand():
    # 8.4e23 FLOP at 40 % of 312 TFLOP/s = 1.248e14 FLOP/s → 6.7308e9 s → 1,869,658 GPU-hours
    bill = costs.budget(8.4e23, 3.12e14, 400, 0.4, 2048, 2.0, 1.1e11)
    assert bill.gpu_hours == pytest.approx(1_869_658.1, rel=1e-6)
    assert bill.days == pytest.approx(1_869_658.1 / 2048 / 24, rel=1e-6)  # ≈ 38 days
    assert bill.dollars == pytest.approx(3_739_316.2, rel=1e-6)
    assert bill.megawatt_hours == pytest.approx(747.86, rel=1e-4)  # 1.87e6 h × 400 W
    assert bill.cpu_years == pytest.approx(8.4e23 / 1.1e11 / 3600 / 24 / 365.25, rel=1e-9)


def test_llama2_reported_hours_imply_plausible_utilisation():
    data = costs.presets()
    a100 = next(g for g in data["gpus"] if g["name"] == "A100 80GB")
    for model in (m for m in data["models"] if m["gpu_hours"]):
        util = costs.implied_utilisation(model["parameters"], model["tokens"], model["gpu_hours"], a100["peak_flops"])
        assert 0.3 < util < 0.7, (model["name"], util)  # 70B: 8.4e23 / (1,720,320 h × 3600 × 3.12e14) = 0.435
    assert sum(m["gpu_hours"] for m in data["models"] if m["gpu_hours"]) == data["llama2_total"]["gpu_hours"]


def test_every_preset_names_its_source():
    data = costs.presets()
    assert all(entry["source"] for entry in data["models"] + data["gpus"])


def test_ladder_orders_the_options_by_orders_of_magnitude():
    rungs = costs.ladder(134_515_008, 2e12, 96_000, 500)
    assert [r["option"] for r in rungs] == ["Train from scratch", "LoRA fine-tune", "One prompt"]
    # Each step down the ladder is orders of magnitude cheaper: ~3e7× from scratch to LoRA, ~400× to a prompt.
    assert rungs[0]["flops"] >= 1e6 * rungs[1]["flops"]
    assert rungs[1]["flops"] >= 1e2 * rungs[2]["flops"]


def test_utilisation_out_of_range_is_refused():
    with pytest.raises(ValueError):
        costs.gpu_hours(1e20, 3.12e14, 0)


def test_the_ladders_lora_rung_follows_the_bundled_adapters_own_settings():
    """It once said 200 steps × 8 for an adapter trained 360 × 8."""
    import json

    from lib import figures
    from lib.models import REPO_ROOT

    example = costs.presets()["lora_example"]
    trained = json.loads((REPO_ROOT / "adapters" / example["adapter"] / "lab_settings.json").read_text())
    assert costs.lora_example_tokens(example) == trained["steps"] * trained["batch_size"] * example["tokens_per_pair"]
    assert f"{trained['steps']} steps × {trained['batch_size']} pairs" in figures.render(example["note"])
