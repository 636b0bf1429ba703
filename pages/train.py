"""Option 1, train your own: the compute bill of a foundation model, and what a minute of CPU buys."""

from dataclasses import asdict

import streamlit as st

from lib import charts, costs, figures, runtime, tinylm
from lib.jobs import BackgroundJob
from ui import guide, jobs, widgets

DATA = costs.presets()
A = DATA["assumptions"]
BUNDLED = next(m for m in DATA["models"] if m["name"] == "SmolLM2-135M")  # the model the other pages run

st.title("Train a model from scratch")
st.write("Pretraining shows a model trillions of tokens. The bill follows from one rule of thumb: every token "
         "costs about six floating-point operations per parameter (two forward, four backward). Pick a model "
         "and a GPU and see what that adds up to.")

st.header("The compute bill")
c1, c2, c3 = st.columns(3)
preset = c1.selectbox("Published model", [m["name"] for m in DATA["models"]], index=6, key="tr_preset")
model = next(m for m in DATA["models"] if m["name"] == preset)
params = c1.number_input("Parameters", 1e6, 2e12, float(model["parameters"]), format="%.3e", key=f"tr_p_{preset}")
tokens = c1.number_input("Training tokens", 1e6, 1e14, float(model["tokens"]), format="%.3e", key=f"tr_t_{preset}")
gpu = next(g for g in DATA["gpus"] if g["name"] == c2.selectbox("GPU", [g["name"] for g in DATA["gpus"]], key="tr_gpu"))
util = c2.slider("Utilisation (share of peak)", 0.05, 1.0, A["utilisation"], 0.05, key="tr_util", help=A["utilisation_note"])
gpus = c3.number_input("GPUs", 1, 100_000, 2048, key="tr_gpus")
price = c3.number_input("Price per GPU-hour (USD)", 0.1, 20.0, A["price_per_gpu_hour"], 0.1, key="tr_price",
                        help=A["price_note"])

bill = costs.budget(costs.training_flops(params, tokens), gpu["peak_flops"], gpu["watts"], util, gpus, price,
                    A["this_cpu_flops"])
m = st.columns(5)
m[0].metric("Training FLOPs", f"{bill.flops:.2e}")
m[1].metric("GPU-hours", f"{bill.gpu_hours:,.0f}")
m[2].metric(f"Days on {gpus:,} GPUs", f"{bill.days:,.1f}")
m[3].metric("Cost", f"${bill.dollars:,.0f}")
m[4].metric("GPU energy", f"{bill.megawatt_hours:,.0f} MWh")
st.write(f"On this laptop (about {A['this_cpu_flops']:.0e} FLOP/s, measured) the same run would take "
         f"**{bill.cpu_years:,.0f} years**.")
if model["gpu_hours"] and params == model["parameters"] and tokens == model["tokens"]:
    implied = costs.implied_utilisation(params, tokens, model["gpu_hours"],
                                        next(g for g in DATA["gpus"] if g["name"] == model["gpu"])["peak_flops"])
    st.info(f"{preset} reported {model['gpu_hours']:,} {model['gpu']} GPU-hours, which implies about "
            f"{implied:.0%} of peak sustained. Source: {model['source']}.")
st.caption(f"Sources: {model['source']}; {gpu['source']}. {A['price_note']}")

st.subheader("The three options for the same model, in FLOPs")
widgets.chart(charts.cost_ladder(costs.ladder(params, tokens, costs.lora_example_tokens(DATA["lora_example"]),
                                              DATA["prompt_example"]["tokens"])), "tr_ladder")
st.caption(f"LoRA: {figures.render(DATA['lora_example']['note'])} (≈ {costs.FLOP_PER_PARAM_TOKEN['lora']} FLOP per "
           f"parameter per token). Prompt: {DATA['prompt_example']['note']} "
           f"(≈ {costs.FLOP_PER_PARAM_TOKEN['prompt']}).")
st.page_link("pages/few_shot.py", label="A prompt is paid for every query, training once: when does an adapter pay "
             "off? (Few-shot page, \"What shots cost\")", icon=":material/trending_up:")

st.header("Train from scratch for a minute")
corpus = tinylm.corpus()
config = tinylm.TinyConfig(seconds=st.slider("Seconds of training", 10, 120, 60, 10, key="tr_seconds"))
st.write(f"A tiny character-level transformer ({config.layers} layers, width {config.width}) starts from random "
         f"weights and reads the {len(corpus):,} characters of the sample documents. Compare what it writes with "
         f"the bundled model, trained on about {BUNDLED['tokens'] / 1e12:g} trillion tokens.")
jobs.start_button("tr", lambda queue, **options: BackgroundJob(tinylm.train, (config, corpus), queue, "tiny-train",
                                                                **options))


def draw(job) -> None:
    st.caption(f"{job.state}: step {len(job.losses)}")
    if job.losses:
        widgets.chart(charts.loss_curve(job.losses, "Training loss (cross-entropy per character)"), "tr_curve")
    samples = job.log.samples if job.log else job.samples
    for step, text in reversed(samples[-3:]):
        st.text(f"after step {step}:\n{text}")
    if job.state == "done":
        log = job.log
        st.success(f"{len(log.losses):,} steps in {log.seconds:.0f} s: {log.parameters:,} parameters saw "
                   f"{log.characters:,} characters. {BUNDLED['name']} has ~{BUNDLED['parameters'] // log.parameters:,}× "
                   f"the parameters and saw ~{BUNDLED['tokens'] * 4 / log.characters:,.0e}× the text "
                   f"({BUNDLED['tokens'] / 1e12:g} T tokens ≈ {BUNDLED['tokens'] * 4 / 1e12:g} T characters, at about 4 "
                   "characters a token).")


def note(job) -> None:
    """The finished run, into the session's notebook."""
    log, started_with = job.log, job.args[0]
    runtime.record("Training run — a tiny transformer from random weights", settings=asdict(started_with),
                   outputs=[f"after step {step}:\n{text}" for step, text in log.samples[-3:]],
                   figure=charts.loss_curve(log.losses, "Training loss (cross-entropy per character)"),
                   measurements={"steps": len(log.losses), "seconds": round(log.seconds, 1),
                                 "final loss": round(log.losses[-1], 3) if log.losses else None,
                                 "parameters": log.parameters, "characters seen": log.characters})


jobs.progress_panel("tr", "Press Start: the loss curve and samples appear as it learns.", draw, note)

guide.panel(__file__)
