#!/usr/bin/env python3
"""Peer baseline for any EfficientNet-Lite checkpoint (lite0, lite1, lite2, ...) under ONNX Runtime.

`../shared/bench/ort_baseline.py` builds Lite0 only: its graph builder (`lite0_onnx.build_model`)
checks the checkpoint against Lite0's block table and feeds a 224 x 224 input. This script reuses
that builder with the block table read from the checkpoint itself (`lite_ref.blocks_from_sd`, the
numpy reference of the whole family) and the variant's input size, and times it the same way.

  python3 ort_lite_baseline.py --weights PATH/efficientnet-lite1-77cc7160.pth --size 240 \\
      [--threads 1] [--iters 300] [--warmup 30] [--bench-dir ../shared/bench] [--check GOLDEN_DIR]

Needs numpy, onnx and onnxruntime (`scripts/setup --bench`). Prints one JSON line, as
ort_baseline.py does:
  {"engine": "onnxruntime", "threads": 1, "batch": 1, "median_ms": ..., "p10_ms": ..., "p90_ms": ..., ...}
With --check, first compares the graph's features and logits with the golden tensors in GOLDEN_DIR
and refuses to time a graph that differs by more than 1e-3.
"""
import argparse, glob, json, os, statistics, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--size", type=int, required=True, help="input side: 224 (lite0), 240 (lite1), 260 (lite2)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--bench-dir", default=os.path.join(HERE, "..", "..", "shared", "bench"),
                    help="the folder holding lite0_ref.py, lite0_onnx.py and lite_ref.py")
    ap.add_argument("--check", help="golden folder (NAME_tf_input.npy, _features.npy, _logits.npy)")
    a = ap.parse_args()
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        sys.exit(f"ort_lite_baseline: missing Python package ({e}); run scripts/setup --bench")
    if not os.path.exists(os.path.join(a.bench_dir, "lite_ref.py")):
        sys.exit(f"ort_lite_baseline: {a.bench_dir}: no lite_ref.py there; pass --bench-dir")
    sys.path.insert(0, os.path.abspath(a.bench_dir))
    import lite0_ref as L
    import lite0_onnx as O
    import lite_ref as R

    sd = L.load_pth(a.weights)
    # The builder validates against Lite0's table; the family's table comes from the checkpoint.
    O.L.check_state_dict = lambda state, blocks=None: R.blocks_from_sd(state)
    model = O.build_model(sd, image_size=a.size)
    path = os.path.join(tempfile.mkdtemp(), "lite.onnx")
    onnx.save(model, path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    if a.check:
        for inp in sorted(glob.glob(os.path.join(a.check, "*_tf_input.npy"))):
            features, logits = sess.run(["features", "logits"], {name: np.load(inp)})
            for tag, ours in (("features", features), ("logits", logits)):
                diff = float(np.abs(ours - np.load(inp.replace("_input", "_" + tag))).max())
                if diff > 1e-3:
                    sys.exit(f"ort_lite_baseline: {os.path.basename(inp)}: {tag} differ by {diff:.2e}")
    x = np.random.default_rng(0).standard_normal((a.batch, 3, a.size, a.size)).astype(np.float32)
    for _ in range(a.warmup):
        sess.run(None, {name: x})
    times = []
    for _ in range(a.iters):
        t = time.perf_counter()
        sess.run(None, {name: x})
        times.append((time.perf_counter() - t) * 1000.0)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    print(json.dumps({"engine": "onnxruntime", "version": ort.__version__, "threads": a.threads,
                      "batch": a.batch, "size": a.size, "median_ms": round(statistics.median(times), 4),
                      "p10_ms": round(q(0.10), 4), "p90_ms": round(q(0.90), 4), "iters": a.iters}))


if __name__ == "__main__":
    main()
