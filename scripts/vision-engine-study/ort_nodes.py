#!/usr/bin/env python3
"""ONNX Runtime on EfficientNet-Lite0 (the graph of ../shared/bench/ort_baseline.py): end-to-end
medians (wall clock and process CPU time), and with --profile each node's median kernel time.

  python3 ort_nodes.py --weights PATH/efficientnet-lite0-57934424.pth [--threads 1] [--iters 100]
      [--profile NODES.json] [--bench-dir ../../../shared/bench]

Process CPU time is what a one-thread run costs whatever else the machine is doing; the wall clock
is what a caller waits. With --profile, NODES.json receives [[node, op, median µs], ...] in graph
order (ONNX Runtime's profiler; the adds are fused into the projections as Conv+Sum).
"""
import argparse, collections, json, os, statistics, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--profile")
    ap.add_argument("--bench-dir", default=os.path.join(HERE, "..", "..", "..", "shared", "bench"))
    a = ap.parse_args()
    sys.path.insert(0, a.bench_dir)
    import numpy as np
    import onnx
    import onnxruntime as ort
    import lite0_ref as L
    import lite0_onnx as O

    path = os.path.join(tempfile.mkdtemp(), "lite0.onnx")
    onnx.save(O.build_model(L.load_pth(a.weights)), path)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = a.threads, 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if a.profile:
        so.enable_profiling = True
        so.profile_file_prefix = os.path.join(tempfile.mkdtemp(), "ort")
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    x = {"input": np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)}
    for _ in range(a.warmup):
        sess.run(None, x)
    wall, cpu = [], []
    for _ in range(a.iters):
        w, c = time.perf_counter(), time.process_time()
        sess.run(None, x)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(f"onnxruntime {ort.__version__} threads {a.threads}: median {statistics.median(wall) * 1e3:.3f} ms "
          f"(process CPU {statistics.median(cpu) * 1e3:.3f} ms)")
    if a.profile:
        times, ops = collections.defaultdict(list), {}
        for e in json.load(open(sess.end_profiling())):
            if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
                node = e["name"][: -len("_kernel_time")]
                times[node].append(e["dur"])
                ops[node] = e["args"].get("op_name")
        rows = [[n, ops[n], statistics.median(d[a.warmup:])] for n, d in times.items()]
        json.dump(rows, open(a.profile, "w"))
        print(f"{len(rows)} nodes, sum of medians {sum(r[2] for r in rows) / 1e3:.2f} ms -> {a.profile}")


if __name__ == "__main__":
    main()
