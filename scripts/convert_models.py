#!/usr/bin/env python3
"""Helper for scripts/convert-models: make MediaPipe BlazePose TFLite models convertible, and check
the ONNX conversions.

Run it with the Python of the conversion virtualenv (.venv-convert/), which has tensorflow-cpu,
tf2onnx, onnx and onnxruntime. Subcommands:

  prepare SRC.tflite DST.tflite
      Copy SRC to DST, replacing every DENSIFY op by a dense constant on the way. The person
      detector keeps 38 of its fp16 weight tensors sparse (TFLite DENSIFY op), which tf2onnx cannot
      read. The TFLite interpreter, run without its default (XNNPACK) delegate and with all tensors
      preserved, computes each DENSIFY output; the DENSIFY op is then removed, its output tensor
      gets that dense value as its constant buffer, and the now unused sparse tensor is dropped.
      Tensors are matched by index, never by name. The result is checked to give the same outputs
      as SRC in the TFLite interpreter. A model without DENSIFY ops is copied unchanged.

  check OUT_DIR NAME... [--ref DIR] [--seed N]
      For each NAME (pose_detection, pose_landmark_full, ...), run OUT_DIR/NAME.onnx with
      onnxruntime and the original OUT_DIR/work/tflite/NAME.tflite with the TFLite interpreter on
      the same random input (detector [1,224,224,3] in [-1,1], landmark [1,256,256,3] in [0,1]),
      and print the max abs difference per output. With --ref DIR, also run DIR/NAME.onnx (a
      reference conversion) on the same input, require the same input/output names and shapes,
      and print the difference to it. Exits non-zero when a name, shape or tolerance check fails.

  prune SRC.onnx DST.onnx
      Write the landmark model SRC without the branches romcam does not use: the segmentation
      mask (Identity_2, about half of the model's compute) and the world landmarks (Identity_4).
      DST keeps the input and the outputs Identity, Identity_1 and Identity_3 with their names,
      computed by the very same nodes and weights (onnx.utils.Extractor keeps every node that
      feeds them and drops the rest). DST is checked to give exactly (max abs difference 0) the
      outputs of SRC on random input. The same SRC always gives the same DST, byte for byte.
"""

import argparse
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")

import numpy as np  # noqa: E402

# Inputs and outputs the Rust code relies on (name -> shape). Segmentation and heatmap shapes are
# not pinned here; they are compared with the reference conversion when one is given.
DETECTOR_IO = {
    "inputs": {"input_1": [1, 224, 224, 3]},
    "outputs": {"Identity": [1, 2254, 12], "Identity_1": [1, 2254, 1]},
}
LANDMARK_IO = {
    "inputs": {"input_1": [1, 256, 256, 3]},
    "outputs": {"Identity": [1, 195], "Identity_1": [1, 1], "Identity_2": None,
                "Identity_3": None, "Identity_4": [1, 117]},
}

THREADS = 1  # keep CPU use modest; these models are small


def _tf():
    import tensorflow as tf  # slow import, only when needed
    return tf


def _schema():
    from tensorflow.lite.python import schema_py_generated as schema
    return schema


def _interpreter(path=None, content=None, builtin_only=False, preserve=False):
    tf = _tf()
    kwargs = {"num_threads": THREADS}
    if path is not None:
        kwargs["model_path"] = path
    else:
        kwargs["model_content"] = content
    if builtin_only:
        kwargs["experimental_op_resolver_type"] = (
            tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    if preserve:
        kwargs["experimental_preserve_all_tensors"] = True
    interp = tf.lite.Interpreter(**kwargs)
    interp.allocate_tensors()
    return interp


def _run_tflite(interp, inputs):
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], inputs[d["name"]])
    interp.invoke()
    return {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}


def _random_inputs(interp_or_details, seed, low, high):
    rng = np.random.default_rng(seed)
    out = {}
    for d in interp_or_details:
        out[d["name"]] = rng.uniform(low, high, size=tuple(d["shape"])).astype(np.float32)
    return out


def _op_names(schema):
    return {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}


def _aligned_buffer_pack(self, builder):
    """BufferT.Pack with the data vector aligned to 16 bytes, as TFLite's own writer does."""
    schema = _schema()
    data = None
    if self.data is not None:
        payload = np.asarray(self.data, dtype=np.uint8).tobytes()
        builder.StartVector(1, len(payload), 16)
        builder.head = builder.head - len(payload)
        builder.Bytes[builder.head:builder.head + len(payload)] = payload
        builder.vectorNumElems = len(payload)
        data = builder.EndVector()
    schema.BufferStart(builder)
    if data is not None:
        schema.BufferAddData(builder, data)
    schema.BufferAddOffset(builder, self.offset)
    schema.BufferAddSize(builder, self.size)
    return schema.BufferEnd(builder)


def prepare(src, dst):
    schema = _schema()
    raw = open(src, "rb").read()
    if raw[4:8] != b"TFL3":
        sys.exit(f"{src}: not a TFLite flatbuffer (no TFL3 identifier)")
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(raw, 0))
    names = _op_names(schema)
    codes = [names[max(c.builtinCode, c.deprecatedBuiltinCode)] for c in model.operatorCodes]

    densify = [(si, oi) for si, sg in enumerate(model.subgraphs)
               for oi, op in enumerate(sg.operators) if codes[op.opcodeIndex] == "DENSIFY"]
    if not densify:
        shutil.copyfile(src, dst + ".tmp")
        os.replace(dst + ".tmp", dst)
        print(f"  {os.path.basename(src)}: no DENSIFY ops, copied unchanged")
        return
    if any(si != 0 for si, _ in densify):
        sys.exit("DENSIFY outside the main subgraph is not handled")

    # Let the interpreter (reference kernels, no XNNPACK) compute the dense weights. DENSIFY does
    # not depend on the model input, but feed a valid input anyway.
    interp = _interpreter(path=src, builtin_only=True, preserve=True)
    _run_tflite(interp, _random_inputs(interp.get_input_details(), 0, -1, 1))

    sg = model.subgraphs[0]
    remove_ops = set()
    sparse_tensors = set()
    for _, oi in densify:
        op = sg.operators[oi]
        (src_idx,), (dst_idx,) = list(op.inputs), list(op.outputs)
        src_t, dst_t = sg.tensors[src_idx], sg.tensors[dst_idx]
        dense = interp.get_tensor(dst_idx)  # by tensor index: tensor names may repeat
        if list(dense.shape) != list(dst_t.shape):
            sys.exit(f"DENSIFY output {dst_idx}: shape {dense.shape} != {list(dst_t.shape)}")
        if not np.all(np.isfinite(dense.astype(np.float32))):
            sys.exit(f"DENSIFY output {dst_idx}: non-finite values")
        buf = model.buffers[dst_t.buffer] if dst_t.buffer > 0 else None
        if buf is None or buf.data is not None or sum(
                1 for t in sg.tensors if t.buffer == dst_t.buffer) != 1:
            # Give the output a buffer of its own.
            model.buffers.append(schema.BufferT())
            dst_t.buffer = len(model.buffers) - 1
            buf = model.buffers[-1]
        buf.data = np.frombuffer(np.ascontiguousarray(dense).tobytes(), dtype=np.uint8)
        dst_t.sparsity = None
        remove_ops.add(oi)
        sparse_tensors.add(src_idx)

    sg.operators = [op for i, op in enumerate(sg.operators) if i not in remove_ops]

    # Drop the sparse tensors that only fed the removed DENSIFY ops (tf2onnx would try to read
    # every tensor with a buffer as a dense constant) and renumber the rest.
    used = set(sg.inputs) | set(sg.outputs)
    for op in sg.operators:
        used.update(i for i in op.inputs if i >= 0)
        used.update(i for i in op.outputs if i >= 0)
        if op.intermediates is not None:
            used.update(i for i in op.intermediates if i >= 0)
    if sparse_tensors & used:
        sys.exit(f"sparse tensors {sorted(sparse_tensors & used)} are used by other ops too")
    dropped = sorted(sparse_tensors)
    for i in dropped:
        t = sg.tensors[i]
        if t.buffer > 0 and sum(1 for u in sg.tensors if u.buffer == t.buffer) == 1:
            model.buffers[t.buffer].data = None  # keep the slot so buffer indices stay valid
    remap = {}
    kept = []
    for i, t in enumerate(sg.tensors):
        if i not in sparse_tensors:
            remap[i] = len(kept)
            kept.append(t)
    sg.tensors = kept

    def m(idx):
        return [remap[i] if i >= 0 else i for i in idx]
    sg.inputs, sg.outputs = m(sg.inputs), m(sg.outputs)
    for op in sg.operators:
        op.inputs, op.outputs = m(op.inputs), m(op.outputs)
        if op.intermediates is not None:
            op.intermediates = m(op.intermediates)
    for sd in model.signatureDefs or []:
        if sd.subgraphIndex == 0:
            for tm in (sd.inputs or []) + (sd.outputs or []):
                tm.tensorIndex = remap[tm.tensorIndex]

    schema.BufferT.Pack = _aligned_buffer_pack
    import flatbuffers
    builder = flatbuffers.Builder(len(raw) * 2)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    out = bytes(builder.Output())

    # The rewritten model must compute what the original computes.
    worst = 0.0
    for builtin_only in (True, False):
        a = _interpreter(path=src, builtin_only=builtin_only)
        b = _interpreter(content=out, builtin_only=builtin_only)
        for seed in (1, 2):
            x = _random_inputs(a.get_input_details(), seed, -1, 1)
            ya, yb = _run_tflite(a, x), _run_tflite(b, x)
            for k in ya:
                worst = max(worst, float(np.max(np.abs(ya[k] - yb[k]))))
    if worst > 1e-5:
        sys.exit(f"dense model differs from the original in TFLite: max abs diff {worst:g}")
    with open(dst + ".tmp", "wb") as f:
        f.write(out)
    os.replace(dst + ".tmp", dst)
    print(f"  {os.path.basename(src)}: {len(densify)} DENSIFY ops replaced by dense constants, "
          f"{len(dropped)} sparse tensors dropped; dense model vs original in TFLite: "
          f"max abs diff {worst:g}")


def _ort_session(path):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def _io(sess):
    return ({i.name: list(i.shape) for i in sess.get_inputs()},
            {o.name: list(o.shape) for o in sess.get_outputs()})


def check(out_dir, names, ref_dir, seed):
    failures = []
    rows = []
    for name in names:
        kind = "detector" if name == "pose_detection" else "landmark"
        expected = DETECTOR_IO if kind == "detector" else LANDMARK_IO
        low, high = (-1.0, 1.0) if kind == "detector" else (0.0, 1.0)
        onnx_path = os.path.join(out_dir, name + ".onnx")
        tflite_path = os.path.join(out_dir, "work", "tflite", name + ".tflite")
        ref_path = os.path.join(ref_dir, name + ".onnx") if ref_dir else None
        if ref_path and not os.path.exists(ref_path):
            print(f"  (no reference {ref_path}; skipping that comparison)")
            ref_path = None

        sess = _ort_session(onnx_path)
        ins, outs = _io(sess)
        # Names and shapes the Rust code depends on.
        if list(ins) != list(expected["inputs"]) or list(outs) != list(expected["outputs"]):
            failures.append(f"{name}: inputs {list(ins)} outputs {list(outs)}, expected "
                            f"{list(expected['inputs'])} {list(expected['outputs'])}")
        for k, shape in list(expected["inputs"].items()) + list(expected["outputs"].items()):
            got = ins.get(k, outs.get(k))
            if shape is not None and got != shape:
                failures.append(f"{name}: {k} has shape {got}, expected {shape}")
        ref = None
        if ref_path:
            ref = _ort_session(ref_path)
            if _io(ref) != (ins, outs):
                failures.append(f"{name}: input/output names or shapes differ from the reference "
                                f"{_io(ref)} vs {(ins, outs)}")

        interp = _interpreter(path=tflite_path)
        x = _random_inputs(interp.get_input_details(), seed, low, high)
        y_tfl = _run_tflite(interp, x)
        y_onnx = dict(zip(outs, sess.run(list(outs), x)))
        y_ref = dict(zip(outs, ref.run(list(outs), x))) if ref else None
        for k in outs:
            if k not in y_tfl:
                failures.append(f"{name}: output {k} not in the TFLite model")
                continue
            if y_tfl[k].shape != y_onnx[k].shape:
                failures.append(f"{name}: {k} shape TFLite {y_tfl[k].shape} vs ONNX "
                                f"{y_onnx[k].shape}")
                continue
            scale = float(np.max(np.abs(y_tfl[k])))
            d_tfl = float(np.max(np.abs(y_tfl[k] - y_onnx[k])))
            d_ref = float(np.max(np.abs(y_ref[k] - y_onnx[k]))) if y_ref else None
            d_ref_tfl = float(np.max(np.abs(y_ref[k] - y_tfl[k]))) if y_ref else None
            # fp32 reordering error grows with the size of the values; allow 1e-3 relative.
            tol = 1e-3 * max(1.0, scale)
            ok = d_tfl <= tol and (d_ref is None or d_ref <= tol)
            if not ok:
                failures.append(f"{name}: {k} differs by more than {tol:g}")
            rows.append((name, k, "x".join(map(str, y_onnx[k].shape)), scale, d_tfl, d_ref,
                         d_ref_tfl, "ok" if ok else "FAIL"))

    print(f"  random input seed {seed}; detector input uniform in [-1,1], landmark in [0,1]")
    hdr = ("model", "output", "shape", "max|tflite|", "ours-tflite", "ours-ref", "ref-tflite", "")
    fmt = "  {:<20} {:<11} {:<13} {:>11} {:>12} {:>12} {:>12} {}"
    print(fmt.format(*hdr))

    def g(v):
        return "-" if v is None else f"{v:.3g}"
    for r in rows:
        print(fmt.format(r[0], r[1], r[2], g(r[3]), g(r[4]), g(r[5]), g(r[6]), r[7]))
    if failures:
        print("FAILED checks:")
        for f in failures:
            print("  " + f)
        sys.exit(1)


# The outputs romcam reads from a landmark model; the pruned model keeps exactly these.
PRUNED_OUTPUTS = ["Identity", "Identity_1", "Identity_3"]


def prune(src, dst):
    import onnx
    from onnx import utils
    model = onnx.load(src)
    pruned = utils.Extractor(model).extract_model(["input_1"], PRUNED_OUTPUTS)
    pruned.doc_string = (model.doc_string + " Pruned by romcam scripts/convert_models.py: only "
                         + ", ".join(PRUNED_OUTPUTS) + " kept.").strip()
    onnx.checker.check_model(pruned)
    tmp = dst + ".tmp"
    onnx.save(pruned, tmp)
    a, b = _ort_session(src), _ort_session(tmp)
    worst = 0.0
    for seed in (0, 1, 2):
        x = {"input_1": np.random.default_rng(seed).uniform(0, 1, (1, 256, 256, 3)).astype(np.float32)}
        for ya, yb in zip(a.run(PRUNED_OUTPUTS, x), b.run(PRUNED_OUTPUTS, x)):
            worst = max(worst, float(np.max(np.abs(ya - yb))))
    if worst != 0.0:
        os.remove(tmp)
        sys.exit(f"pruned {dst} differs from {src}: max abs diff {worst:g}")
    os.replace(tmp, dst)
    print(f"  {os.path.basename(dst)}: {len(model.graph.node)} -> {len(pruned.graph.node)} nodes, "
          f"outputs {PRUNED_OUTPUTS}; vs {os.path.basename(src)}: max abs diff {worst:g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("src")
    p.add_argument("dst")
    c = sub.add_parser("check")
    c.add_argument("out_dir")
    c.add_argument("names", nargs="+")
    c.add_argument("--ref", default=None)
    c.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("prune")
    r.add_argument("src")
    r.add_argument("dst")
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args.src, args.dst)
    elif args.cmd == "prune":
        prune(args.src, args.dst)
    else:
        check(args.out_dir, args.names, args.ref, args.seed)


if __name__ == "__main__":
    main()
