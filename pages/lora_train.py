"""Train your own LoRA adapter live on this CPU: loss curve, samples as it learns, cancel, then compare."""

import streamlit as st

from lib import charts, documents, figures, lora, lora_serving, lora_training, runtime
from lib.textsafe import escape_markdown
from ui import guide, jobs, widgets

DEFAULT = lora_training.TrainConfig()

st.title("LoRA: train your own")
st.write(f"Train an adapter right here. A training step shows the model a batch of examples, measures how wrong "
         "its answers are (the loss) and nudges only the small A and B matrices. Watch the loss fall and the "
         "sample answer change form. It runs in a process of its own on a separate copy of the model, and pauses "
         "between steps while anyone's question is being answered. Keep this page open: a run no page shows "
         f"for {jobs.TRAINING_GRACE_S:.0f} s is cancelled so that it frees the trainer for others.")

c1, c2, c3 = st.columns(3)
rank = c1.select_slider("Rank", [1, 2, 4, 8, 16, 32], 8, key="lt_rank")
alpha = c1.select_slider("Alpha", [1, 2, 4, 8, 16, 32, 64], 16, key="lt_alpha")
lr = c2.select_slider("Learning rate", [5e-4, 1e-3, 2e-3, 4e-3, 8e-3], DEFAULT.learning_rate, key="lt_lr")
ratio = c2.select_slider("B learns × faster than A (LoRA+)", [1.0, 4.0, 16.0], DEFAULT.b_lr_ratio, key="lt_ratio",
                         help="LoRA+ (Hayou et al. 2024) gives B a higher learning rate than A; its paper reports "
                              "faster training. It can also blow up: the form adapter's model card records a run on "
                              "Gemma whose loss diverged at the highest ratio.")
steps = c3.slider("Steps (the progress line shows each step's time)", 4, 200, DEFAULT.steps, 4, key="lt_steps")
upload = c3.file_uploader("Your own pairs (.jsonl of {\"input\", \"target\"})", type=["jsonl"], key="lt_upload")
try:
    pairs = (lora.parse_pairs(documents.decode_text(upload.name, upload.getvalue())) if upload
             else lora.load_pairs(lora.TRAIN_FILE))
except (lora.DataError, documents.DocumentError) as error:
    st.error(f"That file can't be used for training: {escape_markdown(str(error))}")
    st.stop()
# Pills on a row of their own, not a multiselect in a column: all seven modules stay in view (the column clipped
# the fourth chip).
targets = st.pills("Target modules", list(lora.ALL_TARGETS), selection_mode="multi", default=list(DEFAULT.targets),
                   key="lt_targets")
examples = widgets.count_slider("Training examples to draw from", 8, len(pairs), len(pairs), "lt_examples", c1)
if not targets:
    st.info("Pick at least one target module.")
    st.stop()


def make_job(queue, **options):
    config = lora_training.TrainConfig(rank=rank, alpha=alpha, targets=tuple(targets), learning_rate=lr, b_lr_ratio=ratio,
                              steps=steps, examples=examples)
    return lora_serving.TrainingJob(config, pairs, runtime.session_adapters().new_folder(), queue, **options)


def draw(job) -> None:
    st.progress(len(job.losses) / job.config.steps, text=f"{job.state}: step {len(job.losses)} of {job.config.steps}")
    if job.losses:
        widgets.chart(charts.loss_curve(job.losses), "lt_curve")
    for step, sample in reversed(job.samples[-4:]):
        st.text(f"step {step}: {sample}")
    if job.state == "done":
        st.success(f"Trained in {job.log.seconds:.0f} s. Your adapter is in the side-by-side view (only you see it).")
        st.page_link("pages/lora.py", label="Compare it with the base model", icon=":material/extension:")


def register(job) -> None:
    name = f"mine #{len(runtime.session_adapters().adapters) + 1} (r={job.config.rank}, {job.config.steps} steps)"
    runtime.session_adapters().register(name, job.out_dir)  # not in a CPU turn: it waits for the LoRA lock
    runtime.record(f"Training run — LoRA adapter '{name}'", settings=lora_training.settings_of(job.config) | {"pairs": len(pairs)},
                   outputs=[f"step {step}: {sample}" for step, sample in job.samples[-4:]],
                   figure=charts.loss_curve(job.losses),
                   measurements={"steps": len(job.losses), "seconds": round(job.log.seconds, 1),
                                 "final loss": round(job.losses[-1], 3) if job.losses else None})


jobs.start_button("lt", make_job)
jobs.progress_panel("lt", figures.render(
    "Set the knobs and press Start: the loss curve and the samples show the form arriving, and the LoRA page "
    "measures your adapter on the held-out sentences. For scale, the bundled viggo adapter, trained for "
    "{{adapter:viggo#steps}} steps of {{adapter:viggo#batch_size}} pairs, gets {{lora/viggo#lora.exact_match|pct}} of "
    "the generated held-out sentences exactly right (stored result lora/viggo)."), draw, register)

guide.panel(__file__)
