#!/usr/bin/env python3
"""numpy peer for the engine benchmark: g(W + tΔ; x) on a grid of t, the way a researcher would
write it with numpy on a CPU.

What it measures. A linear bottleneck network (docs/model.md §1) with B blocks of L_b layers and
hidden width m_b, input size d, bottleneck widths r and output size k, evaluated at T values of t
in [-R, R] along D directions, every layer perturbed:

    H ← s_ℓ (W_ℓ + t Δ_ℓ) H        for ℓ = 1 … L,  s_ℓ = 1/√fan-in,

for all t and all directions at once. The job is timed whole (drawing the weights, the input and
the directions, then the evaluation), and the two parts separately ("setupMs", "evalMs").

Why it is a fair peer for the visualiser's engines.
* Stored float32 weights: W_ℓ is drawn once with numpy's own generator
  (np.random.default_rng(seed).standard_normal(dtype=np.float32)), N(0, 1) entries with the
  scale 1/√fan-in folded in, and kept in memory. The engines regenerate every weight from Philox
  on each use instead (memory O(m × lanes) instead of O(m²)); this program pays for no generator
  beyond the one draw, which it reports in setupMs.
* BLAS matrix products in float32 throughout (whatever BLAS numpy was built with; reported).
* All t at once: column j of H is the network state for t_j, so a layer is
      Y = (s W) H + ((s Δ) H) ⊙ t_row,
  two products per layer instead of one evaluation per t. The W product is one GEMM over the
  columns of all directions together (D·T columns), which is what BLAS is fastest at.
* aligned: Δ_ℓ = ξ_ℓ ⊗ ĥ_ℓ with ĥ_ℓ = h_ℓ/‖h_ℓ‖, h_ℓ the input layer ℓ receives at W_init, and
  ξ_ℓ a random unit vector (rank one, unit Frobenius norm). Δ H is computed as ξ (ĥᵀ H), never
  forming the matrix, as anyone would.
* gaussian: Δ_ℓ with i.i.d. N(0, 1) entries scaled to unit Frobenius norm per layer, formed
  explicitly (D dense matrices per layer, drawn in setup), one GEMM per direction and layer.

Different random numbers from the engines (numpy's PCG64 and Ziggurat, not Philox), so outputs
agree with the engines in distribution, not value; "checksum" (the sum of all outputs) only
checks runs of this program against each other.

Usage:
    python3 bench/numpy_peer.py --family aligned --layers 3,3 --widths 1024,1024 \
        --directions 15 --points 201 --repeat 3 [--threads N]
prints one line of JSON. Without numpy it prints {"error": "numpy not available"} and exits 0.
"""

import argparse
import json
import os
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--family", choices=["aligned", "gaussian"], default="aligned")
    p.add_argument("--layers", default="3,3", help="L_b per block, comma-separated")
    p.add_argument("--widths", default="1024,1024", help="m_b per block, comma-separated")
    p.add_argument("--input", type=int, default=1, help="d, the input size")
    p.add_argument("--bottleneck", default="1", help="r: B-1 bottleneck widths, comma-separated")
    p.add_argument("--output", type=int, default=1, help="k, the output size")
    p.add_argument("--directions", type=int, default=15, help="D")
    p.add_argument("--points", type=int, default=201, help="T values of t")
    p.add_argument("--radius", type=float, default=1.0, help="R: t runs over [-R, R]")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="BLAS threads (default: BLAS's own)")
    a = p.parse_args(argv)
    ints = lambda s: [int(v) for v in s.split(",") if v.strip()]
    a.layers, a.widths = ints(a.layers), ints(a.widths)
    a.bottleneck = ints(a.bottleneck) if len(a.layers) > 1 else []
    if len(a.widths) != len(a.layers):
        p.error("--widths needs one width per block (as many as --layers)")
    if len(a.bottleneck) != len(a.layers) - 1:
        p.error("--bottleneck needs B - 1 widths")
    if min(a.layers) < 1 or min(a.widths + a.bottleneck + [a.input, a.output]) < 1:
        p.error("layers and sizes must be positive")
    if a.directions < 1 or a.points < 2 or a.repeat < 1:
        p.error("--directions ≥ 1, --points ≥ 2, --repeat ≥ 1")
    return a


def plan_layers(a):
    """(fan_out, fan_in) of every layer: first m×d_{b-1}, middle m×m, last d_b×m, or d_b×d_{b-1}."""
    sizes = [a.input] + a.bottleneck + [a.output]
    shapes = []
    for b, (L, m) in enumerate(zip(a.layers, a.widths)):
        for i in range(L):
            fan_in = sizes[b] if i == 0 else m
            fan_out = sizes[b + 1] if i == L - 1 else m
            shapes.append((fan_out, fan_in))
    return shapes


def setup(np, a, shapes):
    """Weights (scale folded in), the input x, and the directions (scale folded in)."""
    rng = np.random.default_rng(a.seed)
    f32 = np.float32
    W = [rng.standard_normal((o, i), dtype=f32) * f32(1 / i**0.5) for o, i in shapes]
    z = rng.standard_normal(a.input, dtype=f32)
    x = z * f32(a.input**0.5 / np.linalg.norm(z))  # norm √d: entries O(1), x = ±1 for d = 1
    if a.family == "aligned":
        # h_ℓ: the input layer ℓ receives at W_init (one forward pass).
        h, hats = x, []
        for w in W:
            hats.append(h / np.linalg.norm(h))
            h = w @ h
        dirs = []
        for (o, i), hat in zip(shapes, hats):
            xi = rng.standard_normal((a.directions, o), dtype=f32)
            xi /= np.linalg.norm(xi, axis=1, keepdims=True)
            xi *= f32(1 / i**0.5)  # s_ℓ goes on ξ: s Δ = (s ξ) ĥᵀ
            # ξ stored out × D (contiguous, for the update below); ĥ is shared by all directions.
            dirs.append((np.ascontiguousarray(xi.T), hat))
    else:
        dirs = []
        for o, i in shapes:
            G = rng.standard_normal((a.directions, o, i), dtype=f32)
            norms = np.sqrt(np.einsum("dij,dij->d", G, G, dtype=np.float64))
            G *= (1 / (norms * i**0.5)).astype(f32)[:, None, None]  # unit norm, then s_ℓ
            dirs.append(G)
    return W, x, dirs


def evaluate(np, a, shapes, W, x, dirs):
    """k × D × T outputs: g(W + t Δ_d; x) for every direction d and every t."""
    D, T = a.directions, a.points
    ts = np.linspace(-a.radius, a.radius, T, dtype=np.float32)
    # H: fan_in × D × T, contiguous, so W @ H is one GEMM over all D·T columns.
    H = np.broadcast_to(x[:, None, None], (a.input, D, T)).copy()
    for l, (w, (o, i)) in enumerate(zip(W, shapes)):
        Y = (w @ H.reshape(i, D * T)).reshape(o, D, T)
        if a.family == "aligned":
            xi, hat = dirs[l]
            # ĥ_ℓ is the same for every direction (the state at W_init), so ĥᵀ H is one GEMV.
            dots = (hat @ H.reshape(i, D * T)).reshape(D, T)
            dots *= ts  # ⊙ t_row
            Y += xi[:, :, None] * dots[None, :, :]  # ξ (ĥᵀ H) t
        else:
            G = dirs[l]
            for d in range(D):
                Y[:, d, :] += (G[d] @ H[:, d, :]) * ts
        H = Y
    return H


def blas_info(np):
    info = {}
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info = {k: cfg.get(k) for k in ("name", "version") if cfg.get(k)}
        conf = cfg.get("openblas configuration")
        if conf:
            info["config"] = conf
    except Exception:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "num_threads", "version")}
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        ]
    except Exception:
        pass
    return info


def main(argv):
    a = parse_args(argv)
    if a.threads is not None:
        # Must be set before numpy loads its BLAS.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
            os.environ[var] = str(a.threads)
    try:
        import numpy as np
    except ImportError:
        print(json.dumps({"error": "numpy not available"}))
        return 0

    shapes = plan_layers(a)
    totals, setups, evals, checksum = [], [], [], None
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        W, x, dirs = setup(np, a, shapes)
        t1 = time.perf_counter()
        out = evaluate(np, a, shapes, W, x, dirs)
        t2 = time.perf_counter()
        setups.append((t1 - t0) * 1e3)
        evals.append((t2 - t1) * 1e3)
        totals.append((t2 - t0) * 1e3)
        checksum = float(out.sum(dtype=np.float64))
        del W, dirs, out
    # Two products per layer per direction: W (shared) and Δ (dense for gaussian).
    flops = sum(2 * o * i * a.directions * a.points for o, i in shapes)
    if a.family == "gaussian":
        flops *= 2
    else:
        flops += sum(2 * (o + i) * a.directions * a.points for o, i in shapes)
    ms = statistics.median(totals)
    eval_ms = statistics.median(evals)
    result = {
        "family": a.family,
        "widths": a.widths,
        "layers": a.layers,
        "input": a.input,
        "bottleneck": a.bottleneck,
        "output": a.output,
        "directions": a.directions,
        "points": a.points,
        "radius": a.radius,
        "repeat": a.repeat,
        "ms": round(ms, 3),
        "msMin": round(min(totals), 3),
        "setupMs": round(statistics.median(setups), 3),
        "evalMs": round(eval_ms, 3),
        "evalGflops": round(flops / eval_ms / 1e6, 2),
        "threads": a.threads,
        "numpy": np.__version__,
        "blas": blas_info(np),
        "checksum": checksum,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
