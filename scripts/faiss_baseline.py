#!/usr/bin/env python3
"""FAISS beside Scenophone's search, for `scenophone-bench corpus` (which runs this script).

Reads a corpus's embeddings straight from its frames blobs (the list in --rows: one
"PATH COUNT" line per blob, embeddings after the 64-byte header), in the similarity measure's
space (unit rows for cosine), into two FAISS indexes in turn, never both at once:

* the exact IndexFlatIP (cosine) or IndexFlatL2 (euclidean);
* IndexIVFFlat with --lists lists, whose nprobe is raised until its --k nearest agree with the
  exact index's for every query's 10 nearest (the recall of an exact search).

Each query (rows of --queries, float32, already in the measure's space) is searched alone, as a
vision update would, with --threads OpenMP threads. Writes the --k nearest frames and their
Euclidean distances in the measure's space per query and index to --results (int64 ids then
float32 distances, query by query), and timings, memory and the tuned nprobe as JSON on stdout.
"""

import argparse
import json
import resource
import sys
import time

import numpy as np
import faiss

HEADER = 64


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def chunks(rows_file, dimension, cosine, step=65536):
    """The embeddings blob by blob, in pieces of at most `step` rows, in the measure's space."""
    with open(rows_file) as f:
        for line in f:
            path, count = line.rsplit(" ", 1)
            count = int(count)
            rows = np.memmap(path, dtype="<f4", mode="r", offset=HEADER, shape=(count, dimension))
            for start in range(0, count, step):
                piece = np.array(rows[start:start + step], dtype=np.float32)
                if cosine:
                    norms = np.linalg.norm(piece, axis=1, keepdims=True)
                    piece /= np.where(norms > 0, norms, 1)
                yield piece
            del rows


def distances_from(scores, cosine):
    """Euclidean distances in the measure's space from FAISS's scores (inner products or squared L2)."""
    # Missing results (id -1) carry FAISS's sentinel scores: their distances are never read.
    scores = np.nan_to_num(scores.astype(np.float64), nan=0.0, posinf=4.0, neginf=-1.0)
    scores = np.clip(scores, -1e30, 1e30)
    squared = 2 - 2 * scores if cosine else scores
    return np.sqrt(np.maximum(squared, 0)).astype(np.float32)


def timed_search(index, queries, k):
    times, ids, scores = [], [], []
    for q in queries:
        start = time.perf_counter()
        s, i = index.search(q[None, :], k)
        times.append(time.perf_counter() - start)
        ids.append(i[0])
        scores.append(s[0])
    return np.array(times), np.stack(ids), np.stack(scores)


def summary(times):
    return {"p50Ms": float(np.percentile(times, 50) * 1000), "p99Ms": float(np.percentile(times, 99) * 1000)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", required=True, help="file of 'PATH COUNT' lines, one per frames blob")
    parser.add_argument("--dimension", type=int, default=1280)
    parser.add_argument("--measure", choices=["cosine", "euclidean"], default="cosine")
    parser.add_argument("--queries", required=True, help="float32 queries, row-major, in the measure's space")
    parser.add_argument("--k", type=int, default=1024, help="nearest frames returned per query")
    parser.add_argument("--lists", type=int, default=1024, help="IVF lists")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--results", required=True)
    args = parser.parse_args()

    faiss.omp_set_num_threads(args.threads)
    cosine = args.measure == "cosine"
    d = args.dimension
    queries = np.fromfile(args.queries, dtype=np.float32).reshape(-1, d)
    report = {"faissVersion": faiss.__version__, "threads": args.threads, "k": args.k}
    try:
        report["simd"] = faiss.get_compile_options()
    except AttributeError:
        report["simd"] = "unknown"

    # Exact.
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(d) if cosine else faiss.IndexFlatL2(d)
    for piece in chunks(args.rows, d, cosine):
        flat.add(piece)
    report["frames"] = int(flat.ntotal)
    report["flatBuildSeconds"] = time.perf_counter() - start
    times, flat_ids, flat_scores = timed_search(flat, queries, args.k)
    report["flat"] = summary(times)
    report["flatResidentBytes"] = resident_bytes()
    # The IVF's training sample, evenly spaced, before the exact index goes.
    sample_count = min(flat.ntotal, 40 * args.lists)
    sample = flat.reconstruct_batch(np.linspace(0, flat.ntotal - 1, sample_count).astype(np.int64))
    del flat

    # Approximate: IVF with flat lists.
    start = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d) if cosine else faiss.IndexFlatL2(d)
    metric = faiss.METRIC_INNER_PRODUCT if cosine else faiss.METRIC_L2
    ivf = faiss.IndexIVFFlat(quantizer, d, args.lists, metric)
    ivf.cp.niter = 10
    ivf.train(sample)
    del sample
    for piece in chunks(args.rows, d, cosine):
        ivf.add(piece)
    report["ivfBuildSeconds"] = time.perf_counter() - start
    # The smallest nprobe whose 10 nearest are the exact ones for every query.
    nprobe = 1
    while True:
        ivf.nprobe = nprobe
        _, ids = ivf.search(queries, 10)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, flat_ids[:, :10])]))
        if recall >= 1.0 or nprobe >= args.lists:
            break
        nprobe *= 2
    report["ivf"] = {"lists": args.lists, "nprobe": nprobe, "recallAt10": recall}
    times, ivf_ids, ivf_scores = timed_search(ivf, queries, args.k)
    report["ivf"].update(summary(times))
    report["ivfResidentBytes"] = resident_bytes()
    report["peakResidentBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    with open(args.results, "wb") as f:
        for ids, scores in ((flat_ids, flat_scores), (ivf_ids, ivf_scores)):
            f.write(ids.astype("<i8").tobytes())
            f.write(distances_from(scores, cosine).astype("<f4").tobytes())
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
