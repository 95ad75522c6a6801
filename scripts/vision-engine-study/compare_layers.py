#!/usr/bin/env python3
"""Puts the per-layer times of ONNX Runtime, XNNPACK and oneDNN side by side (Markdown).

  python3 compare_layers.py DATA_DIR ORT_NODES.json XNNPACK_LAYERS.txt ONEDNN_LAYERS.txt

DATA_DIR holds layers.txt (export_layers.py); ORT_NODES.json is ort_nodes.py --profile's output;
the two .txt files are `engines ... --layers` outputs. Prints one row per layer, then one per kind
of layer with the ratios to ONNX Runtime and the rate in GFLOP/s (2 × multiply-accumulates / time).
"""
import json, os, re, sys


def layer_times(path):
    text = open(path).read()
    return [float(m.group(1)) for m in re.finditer(r"^layer\s+\d+\s+([\d.]+) us", text, re.M)]


def kernels(path):
    found = {}
    for layer, name in re.findall(r"^kernel\s+(\d+) (\S+)", open(path).read(), re.M):
        if name != "reorder":
            found.setdefault(int(layer), name)
    return found


def main():
    data, ort_path, xnn_path, dnnl_path = sys.argv[1:5]
    layers = [line.split() for line in open(os.path.join(data, "layers.txt")).read().splitlines()[1:] if line]
    ort = {name: us for name, _, us in json.load(open(ort_path))}
    xnn, dnnl, dnnl_kernels = layer_times(xnn_path), layer_times(dnnl_path), kernels(dnnl_path)
    kinds = {}
    print("| # | layer | M MAC | ONNX Runtime µs | XNNPACK µs | oneDNN µs | oneDNN kernel |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for i, (kind, k, s, cin, cout, side, relu6, residual) in enumerate(layers):
        k, s, cin, cout, side = map(int, (k, s, cin, cout, side))
        out = -(-side // s)
        mmac = out * out * cout * (1 if kind == "dw" else cin) * k * k / 1e6
        if i == 0:
            name = "stem"
        elif i == len(layers) - 1:
            name = "head"
        elif kind == "dw":
            name = f"depthwise {k}×{k}"
        else:
            name = "project" if relu6 == "0" else "expand"
        node = f"c{i + 1}_out_r6_nchwc" if relu6 == "1" else f"c{i + 1}_out_nchwc"
        row = [mmac, ort[node], xnn[i], dnnl[i]]
        total = kinds.setdefault(name, [0.0] * 4)
        kinds[name] = [a + b for a, b in zip(total, row)]
        skip = " + skip" if residual == "1" else ""
        print(f"| {i} | {name} {cin}→{cout} at {side}²/{s}{skip} | {mmac:.1f} | {row[1]:.0f} | {row[2]:.0f} | "
              f"{row[3]:.0f} | {dnnl_kernels.get(i, '')} |")
    tail = sum(ort[n] for n in ("pooled_nchwc", "ReorderOutput", "flatten", "fc") if n in ort)
    kinds["pool + classifier"] = [1.28, tail, xnn[len(layers)], dnnl[len(layers)]]
    print()
    print("| kind | M MAC | ONNX Runtime µs | XNNPACK µs | oneDNN µs | XNNPACK / ORT | oneDNN / ORT "
          "| ORT GFLOP/s | XNNPACK GFLOP/s | oneDNN GFLOP/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = list(kinds.items())
    rows.append(("total", [sum(column) for column in zip(*kinds.values())]))
    for name, (mmac, o, x, d) in rows:
        rate = lambda us: 2 * mmac / us * 1e3
        print(f"| {name} | {mmac:.0f} | {o:.0f} | {x:.0f} | {d:.0f} | {x / o:.2f} | {d / o:.2f} | "
              f"{rate(o):.0f} | {rate(x):.0f} | {rate(d):.0f} |")

if __name__ == "__main__":
    main()
