#!/usr/bin/env python3
"""Writes EfficientNet-Lite0's layers with BatchNorm folded, for engines.cpp.

  python3 export_layers.py --weights PATH/efficientnet-lite0-57934424.pth --out DIR
      [--bench-dir ../../../shared/bench] [--golden ../../../shared/reference/efficientnet-lite0]

DIR receives:
  layers.txt      the layer count, then one line per convolution:
                  KIND KERNEL STRIDE IN OUT INPUT_SIDE RELU6 RESIDUAL  (KIND is conv or dw)
  weights.bin     float32, per layer its filter (OIHW; depthwise [C][1][k][k]) then its bias,
                  then the classifier's [1000][1280] weights and 1000 biases
  NAME_input.bin, NAME_features.bin, NAME_logits.bin
                  two golden images (NHWC input) and their float64 reference outputs, as float32
The folding is lite0_onnx.fold_bn, the same as ONNX Runtime's graph in ort_baseline.py.
"""
import argparse, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bench-dir", default=os.path.join(SHARED, "bench"))
    ap.add_argument("--golden", default=os.path.join(SHARED, "reference", "efficientnet-lite0"))
    a = ap.parse_args()
    sys.path.insert(0, a.bench_dir)
    import numpy as np
    import lite0_ref as L
    import lite0_onnx as O

    sd = L.load_pth(a.weights)
    lines, arrays = [], []
    side, macs = L.IMAGE_SIZE, 0

    def layer(kind, prefix, bn, stride, relu6, residual=False):
        nonlocal side, macs
        w, b = O.fold_bn(sd[prefix + ".weight"], sd, bn)
        out_channels, in_per_group, k, _ = w.shape
        in_channels = out_channels if kind == "dw" else in_per_group
        out_side = -(-side // stride)
        macs += out_side * out_side * out_channels * in_per_group * k * k
        lines.append(f"{kind} {k} {stride} {in_channels} {out_channels} {side} {int(relu6)} {int(residual)}")
        arrays.extend([w.ravel(), b.ravel()])
        side = out_side

    layer("conv", "_conv_stem", "_bn0", 2, True)
    for i, block in enumerate(L.check_state_dict(sd)):
        p = f"_blocks.{i}."
        if block["expand"] != 1:
            layer("conv", p + "_expand_conv", p + "_bn0", 1, True)
        layer("dw", p + "_depthwise_conv", p + "_bn1", block["stride"], True)
        layer("conv", p + "_project_conv", p + "_bn2", 1, False, block["skip"])
    layer("conv", "_conv_head", "_bn1", 1, True)
    arrays.extend([sd["_fc.weight"].astype(np.float32).ravel(), sd["_fc.bias"].astype(np.float32).ravel()])

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "layers.txt"), "w") as f:
        f.write(f"{len(lines)}\n" + "\n".join(lines) + "\n")
    np.concatenate([x.astype(np.float32) for x in arrays]).tofile(os.path.join(a.out, "weights.bin"))
    for name in ("chelsea", "rocket"):
        g = lambda what: np.load(os.path.join(a.golden, f"{name}_tf_{what}.npy")).astype(np.float32)
        g("input").transpose(0, 2, 3, 1).tofile(os.path.join(a.out, f"{name}_input.bin"))
        g("features").tofile(os.path.join(a.out, f"{name}_features.bin"))
        g("logits").tofile(os.path.join(a.out, f"{name}_logits.bin"))
    print(f"{len(lines)} convolutions, {macs / 1e6:.1f} M multiply-accumulates (plus 1.28 M in the classifier)")


if __name__ == "__main__":
    main()
