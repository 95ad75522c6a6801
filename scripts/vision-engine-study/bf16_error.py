#!/usr/bin/env python3
"""How far from the golden tensors would bf16 dot products (AVX512_BF16's `vdpbf16ps`: operands
rounded to bfloat16, products summed in float32) put Lite0? Runs the folded layers that
export_layers.py wrote, in numpy, float32 throughout except that the chosen convolutions see
their input and their weights rounded to bfloat16 (round to nearest even).

  python3 bf16_error.py DATA_DIR

Prints, for the dense convolutions alone and for every convolution, the largest difference from
the float64 golden features and logits of the two images; the golden tests allow 1e-3.
"""
import os, sys

import numpy as np


def bf16(x):
    """Rounds float32 values to the nearest bfloat16 (ties to even), returned as float32."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def same_pad(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def forward(data, layers, weights, image, rounded_kinds):
    x = np.fromfile(os.path.join(data, f"{image}_input.bin"), dtype=np.float32).reshape(224, 224, 3)
    offset, block_input = 0, x
    for kind, k, s, cin, cout, side, relu6, residual in layers:
        per_out = 1 if kind == "dw" else cin
        w = weights[offset: offset + cout * per_out * k * k].reshape(cout, per_out, k, k)
        offset += cout * per_out * k * k
        b = weights[offset: offset + cout]
        offset += cout
        inp, w_used = (bf16(x), bf16(w)) if kind in rounded_kinds else (x, w)
        before, after = same_pad(side, k, s)
        padded = np.pad(inp, ((before, after), (before, after), (0, 0)))
        out_side = -(-side // s)
        y = np.zeros((out_side, out_side, cout), dtype=np.float32)
        for dy in range(k):
            for dx in range(k):
                window = padded[dy: dy + s * (out_side - 1) + 1: s, dx: dx + s * (out_side - 1) + 1: s, :]
                if kind == "dw":
                    y += window * w_used[:, 0, dy, dx]
                else:
                    y += window @ w_used[:, :, dy, dx].T
        y += b
        if relu6:
            y = np.clip(y, 0, 6)
        if residual:
            y = y + block_input
        x = y
        if not relu6:
            block_input = x
    features = x.mean(axis=(0, 1))
    fc = weights[offset: offset + 1000 * 1280].reshape(1000, 1280)
    logits = fc @ features + weights[offset + 1000 * 1280: offset + 1000 * 1280 + 1000]
    return features, logits


def main():
    data = sys.argv[1]
    lines = open(os.path.join(data, "layers.txt")).read().split("\n")[1:]
    layers = [(p[0], *map(int, p[1:])) for p in (l.split() for l in lines if l)]
    weights = np.fromfile(os.path.join(data, "weights.bin"), dtype=np.float32)
    for label, kinds in (("float32 throughout", set()), ("bf16 dense convolutions", {"conv"}),
                         ("bf16 every convolution", {"conv", "dw"})):
        worst_f = worst_l = 0.0
        for image in ("chelsea", "rocket"):
            f, l = forward(data, layers, weights, image, kinds)
            gf = np.fromfile(os.path.join(data, f"{image}_features.bin"), dtype=np.float32)
            gl = np.fromfile(os.path.join(data, f"{image}_logits.bin"), dtype=np.float32)
            worst_f = max(worst_f, float(np.abs(f - gf).max()))
            worst_l = max(worst_l, float(np.abs(l - gl).max()))
        print(f"{label:26s} features within {worst_f:.2e}, logits within {worst_l:.2e}")


if __name__ == "__main__":
    main()
