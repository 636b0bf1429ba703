"""Builds the fast engine's model: SmolLM2's own 4-bit GGUF blocks in an ONNX graph for onnxruntime-genai.

onnxruntime-genai's model builder writes a float32 graph from our converted
safetensors (~8 s). Re-quantizing that graph (the builder's own int4) puts the
weights on a new grid and costs the tiny model much of its accuracy, so instead
we carry the GGUF's exact blocks across:

- each linear layer is Q4_1: blocks of 32 weights `w = d·q + m` (q in 0..15).
  onnxruntime's `MatMulNBits` computes `scale·(q − zero_point)`; its fast CPU
  kernels need integer zero points, so we store `d·q` (zero point 0) and add the
  block minimums as a small float matmul: `Σ_block m·Σx` (blocks of x summed).
  Same product, a 1/32-size extra matmul.
- the output layer (tied to the embeddings) is Q8_0: `w = d·q`; the embedding
  lookup keeps a float copy.

Every block is checked against the builder's float32 weight before it is
written, so a wrong mapping fails the build instead of silently hurting answers.

What this leaves out: other GGUF types (Q4_K, Q6_K…): the bundled model has none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

BLOCK = 32
# MatMulNBits' accuracy_level: 0 keeps activations float32, so the logits equal PyTorch's float32 ones
# (to ~1e-6); 4 quantizes activations to int8 per block of 32, as llama.cpp does for these weights:
# faster, but enough to flip some of a 135M model's answers (bench/run.py measures by how much).
ACCURACY_LEVELS = {"exact": 0, "int8": 4}
LAYER_PARTS = {"o_proj": ["attn_output"], "gate_proj": ["ffn_gate"], "up_proj": ["ffn_up"],
               "down_proj": ["ffn_down"], "qkv_proj": ["attn_q", "attn_k", "attn_v"]}
# gate and up read the same input: one matmul of both (then split) decodes ~12 % faster than two, since each
# operator call costs a few microseconds and a token makes hundreds of them.
FUSED = ("gate_proj", "up_proj")


class BuildError(RuntimeError):
    """The engine's model could not be built; the message says why."""


def q4_1_blocks(raw: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(q [rows, blocks, 32] in element order, d [rows, blocks], m [rows, blocks]) from GGUF Q4_1 bytes."""
    b = np.asarray(raw, np.uint8).reshape(rows, cols // BLOCK, 20)
    d = b[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
    m = b[..., 2:4].copy().view(np.float16)[..., 0].astype(np.float32)
    qs = b[..., 4:]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1), d, m  # byte j holds elements j and j+16


def q8_0_blocks(raw: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(q [rows, blocks, 32] int8, d [rows, blocks]) from GGUF Q8_0 bytes."""
    b = np.asarray(raw, np.uint8).reshape(rows, cols // BLOCK, 34)
    return b[..., 2:].copy().view(np.int8), b[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)


def _pack4(q: np.ndarray) -> np.ndarray:
    """MatMulNBits' 4-bit layout: two elements a byte, the even one in the low nibble."""
    return (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)


def unpermute_rows(rows: int, heads: int) -> np.ndarray:
    """llama.cpp's converter interleaves q/k rows for its RoPE; this index undoes it (as transformers does)."""
    return np.arange(rows).reshape(heads, rows // heads // 2, 2).swapaxes(1, 2).reshape(rows)


def _check_same(name: str, blocks: np.ndarray, reference: np.ndarray) -> None:
    err = float(np.abs(blocks - reference).max())
    if err > 1e-6 * max(1.0, float(np.abs(reference).max())):
        raise BuildError(f"{name}: the GGUF blocks differ from the float32 weights by {err:.3g}; not building.")


def _layer_linear(node) -> tuple[int, str] | None:
    """(layer, part) for one of the builder's per-layer MatMuls (`model.layers.3.mlp.up_proj.MatMul.weight`)."""
    weight = node.input[1] if node.op_type == "MatMul" and len(node.input) > 1 else ""
    parts = weight.split(".")
    if weight.startswith("model.layers.") and parts[4] in LAYER_PARTS:
        return int(parts[2]), parts[4]
    return None


class _Rewriter:
    """Replaces the builder's float MatMuls with MatMulNBits on the GGUF's blocks."""

    def __init__(self, graph, tensors: dict, heads: int, kv_heads: int, accuracy_level: int):
        from onnx import numpy_helper

        self.graph, self.tensors = graph, tensors
        self.heads, self.kv_heads, self.level = heads, kv_heads, accuracy_level
        self.inits = {i.name: i for i in graph.initializer}
        self.to_array, self.from_array = numpy_helper.to_array, numpy_helper.from_array
        self.nodes, self.new_inits, self.dropped, self.block_sums = [], [], set(), {}

    def q4_1(self, gguf_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = self.tensors[gguf_name]
        rows, cols = int(t.shape[1]), int(t.shape[0])
        q, d, m = q4_1_blocks(t.data, rows, cols)
        heads = {"attn_q": self.heads, "attn_k": self.kv_heads}.get(gguf_name.split(".")[2])
        if heads:
            order = unpermute_rows(rows, heads)
            q, d, m = q[order], d[order], m[order]
        return q, d, m

    def linear(self, nodes: list, layer: int, parts: list[str]) -> None:
        """One MatMulNBits for these nodes (same input), split back into their outputs when more than one."""
        from onnx import helper

        weight = np.concatenate([self.to_array(self.inits[n.input[1]]) for n in nodes], axis=1)  # [K, N]
        k, n = weight.shape
        names = [g for part in parts for g in LAYER_PARTS[part]]
        q, d, m = (np.concatenate(p, axis=0) for p in zip(*(self.q4_1(f"blk.{layer}.{g}.weight") for g in names)))
        _check_same(nodes[0].input[1], (d[..., None] * q + m[..., None]).reshape(n, k).T, weight)
        base = nodes[0].input[1].removesuffix(".weight").replace(parts[0], "_".join(p.removesuffix("_proj") for p in parts) + "_proj")
        zero = np.zeros((n, (k // BLOCK + 1) // 2), np.uint8)  # two 4-bit zero points a byte
        self.new_inits += [self.from_array(_pack4(q), base + ".q4"),
                           self.from_array(d.reshape(-1), base + ".scale"), self.from_array(zero.reshape(-1), base + ".zero"),
                           self.from_array(np.ascontiguousarray(m.T), base + ".min")]
        x, y, name = nodes[0].input[0], base + "/output_0", base
        self.nodes.append(helper.make_node(
            "MatMulNBits", [x, base + ".q4", base + ".scale", base + ".zero"], [y + "/dq"], name=name + "NBits",
            domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK, accuracy_level=self.level))
        self.nodes += [helper.make_node("MatMul", [self.block_sum(x, k), base + ".min"], [y + "/min"], name=name + "Min"),
                       helper.make_node("Add", [y + "/dq", y + "/min"], [y], name=name + "Add")]
        if len(nodes) == 1:
            self.nodes[-1].output[0] = nodes[0].output[0]
        else:
            self.nodes.append(helper.make_node("Split", [y], [n.output[0] for n in nodes], axis=-1,
                                               num_outputs=len(nodes), name=name + "Split"))
        self.dropped.update(n.input[1] for n in nodes)

    def block_sum(self, x: str, k: int) -> str:
        """x summed over each block of 32 inputs (one small matmul with a 0/1 matrix), once per input."""
        from onnx import helper

        if x not in self.block_sums:
            ones = f"block_ones_{k}"
            if ones not in self.inits:
                self.inits[ones] = self.from_array(np.kron(np.eye(k // BLOCK, dtype=np.float32), np.ones((BLOCK, 1), np.float32)), ones)
                self.new_inits.append(self.inits[ones])
            self.nodes.append(helper.make_node("MatMul", [x, ones], [x + "/block_sum"], name=x + "/BlockSum"))
            self.block_sums[x] = x + "/block_sum"
        return self.block_sums[x]

    def lm_head(self, node) -> None:
        from onnx import helper

        weight = self.to_array(self.inits[node.input[1]])  # [K, vocab]
        k, n = weight.shape
        t = self.tensors["token_embd.weight"]
        q, d = q8_0_blocks(t.data, int(t.shape[1]), int(t.shape[0]))
        q, d = q[:n], d[:n]
        table = (d[..., None] * q).reshape(n, k)
        _check_same(node.input[1], table.T, weight)
        self.new_inits += [self.from_array(np.ascontiguousarray(table), "model.embed_tokens.weight"),
                           self.from_array(np.array([-1], np.int64), "last_position")]
        # Only the last position's logits pick the next token: reading a 250-token prompt then costs one
        # vocabulary projection instead of 250 (a fifth of the prompt's compute).
        last = node.input[0] + "/last"
        self.nodes.append(helper.make_node("Gather", [node.input[0], "last_position"], [last], axis=1,
                                           name=node.name + "Last"))
        nbits = dict(domain="com.microsoft", K=k, N=n, block_size=BLOCK, accuracy_level=self.level)
        if self.level:  # int8 activations: one 8-bit matmul, zero point 128
            self.new_inits += [self.from_array((q.astype(np.int16) + 128).astype(np.uint8), "lm_head.q8"),
                               self.from_array(d.reshape(-1), "lm_head.scale")]
            self.nodes.append(helper.make_node("MatMulNBits", [last, "lm_head.q8", "lm_head.scale"], list(node.output),
                                               name=node.name + "NBits", bits=8, **nbits))
        else:
            # onnxruntime has no fast float-activation kernel for 8-bit weights, so the 8-bit value q + 128 is
            # split into two 4-bit halves: d·(q+128−128) = 16d·(hi − 8) + d·lo, both exact 4-bit matmuls.
            unsigned = (q.astype(np.int16) + 128).astype(np.uint8)
            hi, lo = unsigned >> 4, unsigned & 0x0F
            zero = np.zeros((n, (k // BLOCK + 1) // 2), np.uint8)
            self.new_inits += [self.from_array(_pack4(hi), "lm_head.hi"), self.from_array(16 * d.reshape(-1), "lm_head.hi_scale"),
                               self.from_array(_pack4(lo), "lm_head.lo"), self.from_array(d.reshape(-1), "lm_head.lo_scale"),
                               self.from_array(zero.reshape(-1), "lm_head.lo_zero")]
            y = node.output[0]
            self.nodes += [helper.make_node("MatMulNBits", [last, "lm_head.hi", "lm_head.hi_scale"], [y + "/hi"],
                                            name=node.name + "High", bits=4, **nbits),
                           helper.make_node("MatMulNBits", [last, "lm_head.lo", "lm_head.lo_scale", "lm_head.lo_zero"],
                                            [y + "/lo"], name=node.name + "Low", bits=4, **nbits),
                           helper.make_node("Add", [y + "/hi", y + "/lo"], [y], name=node.name + "Add")]
        self.dropped.add(node.input[1])

    def run(self) -> None:
        linears = {key: node for node in self.graph.node if (key := _layer_linear(node))}
        for node in self.graph.node:
            if key := _layer_linear(node):
                layer, part = key
                together = [linears.get((layer, p)) for p in FUSED]
                fusable = part in FUSED and None not in together and len({n.input[0] for n in together}) == 1
                if not fusable:
                    self.linear([node], layer, [part])
                elif part == FUSED[0]:
                    self.linear(together, layer, list(FUSED))
            elif node.op_type == "MatMul" and node.input[1:2] == ["lm_head.MatMul.weight"]:
                self.lm_head(node)
            else:
                self.nodes.append(node)
        if not self.dropped:
            raise BuildError("The builder's graph has no linear layers we recognise; not building.")
        # The builder's embedding gathered rows of the transposed output weight; give it its own float table.
        for node in self.nodes:
            if node.op_type == "Gather" and node.input[0].endswith("embed_tokens/Transpose/output_0"):
                node.input[0] = "model.embed_tokens.weight"
        self.nodes = [n for n in self.nodes if not (n.op_type == "Transpose" and n.input[0] in self.dropped)]
        kept = [i for i in self.graph.initializer if i.name not in self.dropped]
        del self.graph.initializer[:]
        self.graph.initializer.extend(kept + self.new_inits)
        del self.graph.node[:]
        self.graph.node.extend(self.nodes)
        logits = next(o for o in self.graph.output if o.name == "logits").type.tensor_type.shape.dim[1]
        logits.ClearField("dim_param")
        logits.dim_value = 1  # tells onnxruntime-genai that only the last position comes back


def run_builder(source: Path, out: Path, precision: str = "fp32") -> None:
    """onnxruntime-genai's model builder from a safetensors folder (offline); the benchmark also asks it for int4."""
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-m", str(source), "-i", str(source),
               "-o", str(out), "-p", precision, "-e", "cpu", "-c", str(out / "hf-cache")]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0 or not (out / "model.onnx").is_file():
        raise BuildError("onnxruntime-genai's model builder failed: " + (done.stderr or done.stdout)[-800:])


def build(source: Path, gguf_file: Path, target: Path, activations: str = "exact",
          progress: Callable[[str], None] = lambda _m: None) -> None:
    """Write the engine's model folder at `target` (atomic: a half-built folder never loads)."""
    import onnx
    from gguf import GGUFReader

    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        progress("Writing the float32 graph with onnxruntime-genai's model builder…")
        run_builder(source, staging / "float32")
        progress("Carrying the GGUF's own 4-bit blocks into the graph…")
        model = onnx.load(str(staging / "float32" / "model.onnx"))
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
        tensors = {t.name: t for t in GGUFReader(str(gguf_file)).tensors}
        _Rewriter(model.graph, tensors, config["num_attention_heads"], config["num_key_value_heads"],
                  ACCURACY_LEVELS[activations]).run()
        onnx.save(model, str(staging / "model.onnx"), save_as_external_data=True, location="model.onnx.data",
                  size_threshold=1024)
        for f in (staging / "float32").iterdir():
            if f.is_file() and not f.name.startswith("model.onnx"):
                shutil.copy(f, staging / f.name)
        shutil.rmtree(staging / "float32")
        _write_config(staging / "genai_config.json")
        (staging / "engine.json").write_text(json.dumps({"source": gguf_file.name, "activations": activations}),
                                             encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_config(path: Path) -> None:
    config = json.loads(path.read_text(encoding="utf-8"))
    # Our generation settings are passed per request; these defaults must not leak in (top_k 50 would).
    # ONNX Runtime counts physical cores, and sees one on some 2-vCPU machines; decode is ~10 % faster on all.
    config["model"]["decoder"]["session_options"]["intra_op_num_threads"] = os.cpu_count() or 1
    config["search"].update({"top_k": 0, "do_sample": False, "temperature": 1.0, "top_p": 1.0})
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
