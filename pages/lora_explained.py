"""How LoRA works: parameters from the real model's shapes, W + B·A as pictures, and a merge check."""

import pandas as pd
import streamlit as st

from lib import charts, lora, lora_inspect, runtime
from ui import guide, widgets

st.title("LoRA: how it works")
st.write("Full fine-tuning changes every weight matrix W. LoRA freezes W and learns a small update ΔW = B·A, where "
         "A is r × in and B is out × r. With a small rank r the update has far fewer numbers than W — and it can "
         "be added into W afterwards, so serving costs nothing extra.")

loaded = runtime.bundled_model()
shapes = lora.module_shapes(loaded.model)
c1, c2, c3 = st.columns(3)
rank = c1.select_slider("Rank r", [1, 2, 4, 8, 16, 32, 64], 8, key="lx_rank")
alpha = c2.select_slider("Alpha (scale = alpha / r)", [1, 2, 4, 8, 16, 32, 64, 128], 16, key="lx_alpha")
targets = c3.multiselect("Target modules", list(shapes), ["q_proj", "v_proj"], key="lx_targets")
if not targets:
    st.info("Pick at least one module to adapt.")
    st.stop()

per_module = lora.trainable_parameters(shapes, rank, targets)
total = sum(per_module.values())
table = pd.DataFrame([{"module": t, "in": shapes[t][0], "out": shapes[t][1], "layers": shapes[t][2],
                       "full weights": shapes[t][0] * shapes[t][1] * shapes[t][2], "LoRA parameters": per_module[t]}
                      for t in targets])
st.dataframe(table, hide_index=True)
m1, m2, m3 = st.columns(3)
m1.metric("Trainable parameters", f"{total:,}")
m2.metric("Share of the model", f"{total / loaded.parameters:.2%}")
m3.metric("Adapter file (float32)", f"{total * 4 / 1e6:.2f} MB")
st.caption(f"Scale applied to B·A: alpha / r = {alpha / rank:g}. The model itself has {loaded.parameters:,} "
           "parameters; full fine-tuning would train all of them.")

st.header("W + B·A, in pictures (the bundled adapter, layer 0, q_proj)")
w, delta, r = lora_inspect.delta_weight(lora.BUNDLED["viggo"])
size = st.slider("Corner shown (rows = columns)", 16, 128, 48, 16, key="lx_size")
pictures = {"W (frozen)": w[:size, :size], f"ΔW = B·A (rank {r})": delta[:size, :size],
            "W + ΔW": (w + delta)[:size, :size]}
for column, (title, matrix) in zip(st.columns(3), pictures.items()):
    widgets.chart(charts.weight_picture(matrix.numpy(), title), f"lx_{title}", column)
widgets.chart(charts.singular_values(delta.numpy(), r), "lx_svd")

st.header("Merge check")
st.write("`merge_and_unload()` adds ΔW into W for good. The merged model should answer exactly like base + adapter.")
if st.button("Merge the adapter and compare", key="lx_merge"):
    bar = st.progress(0.0, text="Waiting for a turn on the CPU…")
    check = runtime.run_queued(lora_inspect.merge_check, lora.BUNDLED["viggo"], lora.load_pairs(lora.TEST_FILE)[:3],
                               lambda share, text: bar.progress(share, text=text))
    bar.empty()
    st.dataframe(pd.DataFrame(check["rows"]), hide_index=True)
    verdict = "identical" if check["same_text"] else "different"
    st.metric("Largest difference in logits", f"{check['max_logit_diff']:.2e}", help="float32 rounding only")
    st.write(f"Merged and adapter outputs are **{verdict}** on these examples.")

guide.panel(__file__)
