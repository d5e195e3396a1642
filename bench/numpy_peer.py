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

The "live" job (--live-widths): the recomputes of Figure 1's exact panels while the width slider
moves, one notch per recompute (m = 10000, 9772, 9550, ...: the benchmark passes the list). Per
width (the first --live-warmup of them a warm-up, untimed): the network drawn once (float64, numpy's generator, shared by the three panels, as the
engines' store shares it), the forward trace at W_init (ĥ_ℓ), then for each panel (all weights:
p(t_1, t_2) with one variable per block, 9 coefficients; W_1 only and W_2 only: p(t), 3
coefficients) its aligned directions (ξ drawn per panel) and the exact polynomial in float64 by
coefficient propagation, as the engines compute it:

    Y = s W H + s ξ (ĥᵀ H) shifted by one degree in the layer's variable,

H holding, per direction, one column per coefficient (BLAS products over all directions at once).

Usage:
    python3 bench/numpy_peer.py --family aligned --layers 3,3 --widths 1024,1024 \
        --directions 15 --points 201 --repeat 3 [--threads N]
    python3 bench/numpy_peer.py --live-widths 10000,9772,9550 --directions 5
prints one line of JSON, with the BLAS library and the configuration it ran with ("blas").
Without numpy it prints {"error": "numpy not available"} and exits 0.
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
    p.add_argument("--live-widths", default=None,
                   help="the live job: Figure 1's exact panels recomputed at each of these widths")
    p.add_argument("--live-warmup", type=int, default=1,
                   help="the live job: how many of the first widths are an untimed warm-up")
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


def blas_runtime():
    """The loaded OpenBLAS's own word on what it runs: its build string, the kernel it picked
    (corename: what OPENBLAS_CORETYPE would override) and its thread count, read through ctypes
    from the library numpy loaded (no threadpoolctl needed)."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({l.split()[-1] for l in maps if "openblas" in l.lower() and "/" in l})
    except OSError:
        return {}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""),
                               ("openblas_", "64_"), ("openblas_", "")):
            try:
                config = getattr(lib, f"{prefix}get_config{suffix}")
                corename = getattr(lib, f"{prefix}get_corename{suffix}")
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
            except AttributeError:
                continue
            config.restype = ctypes.c_char_p
            corename.restype = ctypes.c_char_p
            return {
                "library": os.path.basename(path),
                "runtimeConfig": config().decode(),
                "corename": corename().decode(),
                "numThreads": threads(),
            }
    return {}


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
    info.update(blas_runtime())
    info["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                   "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    return info


def live_job(np, a, widths):
    """Figure 1's exact panels (all weights per block, W_1 only, W_2 only) recomputed at each
    width; returns the milliseconds of each recompute and a checksum of the coefficients."""
    D = a.directions
    rng = np.random.default_rng(a.seed)
    # Panels: which blocks are perturbed, and each block's variable (per-block: one per block).
    panels = [([True, True], [0, 1]), ([True, False], [0, None]), ([False, True], [None, 0])]
    times, checksum = [], 0.0
    for m in widths:
        t0 = time.perf_counter()
        a.layers, a.widths = [2, 2], [m, m]
        a.input, a.bottleneck, a.output = 1, [1], 1
        shapes = plan_layers(a)
        blocks = [0, 0, 1, 1]
        W = [rng.standard_normal((o, i)) * (1 / i**0.5) for o, i in shapes]  # float64, s folded in
        x = np.ones(1)
        h, hats = x, []
        for w in W:
            hats.append(h / np.linalg.norm(h))
            h = w @ h
        for mask, variable in panels:
            # Degree bound per variable: its perturbed layers; coefficients: Π (degree + 1).
            nvar = max(v for v in variable if v is not None) + 1
            degrees = [sum(1 for b in blocks if variable[b] == v) for v in range(nvar)]
            strides = [int(np.prod([d + 1 for d in degrees[:v]])) for v in range(nvar)]
            K = int(np.prod([d + 1 for d in degrees]))
            index = np.arange(K)
            H = np.zeros((1, D, K))
            H[:, :, 0] = x[0]
            for l, ((o, i), w) in enumerate(zip(shapes, W)):
                Y = (w @ H.reshape(i, D * K)).reshape(o, D, K)
                v = variable[blocks[l]]
                if v is not None:
                    xi = rng.standard_normal((D, o))
                    xi /= np.linalg.norm(xi, axis=1, keepdims=True)
                    xi *= 1 / i**0.5  # s_ℓ on ξ: s Δ = (s ξ) ĥᵀ, unit Frobenius norm
                    dots = hats[l] @ H.reshape(i, D * K)  # ĥᵀ H for every direction, coefficient
                    dots = dots.reshape(D, K)
                    # Raise the degree in v by one: coefficient α feeds α + e_v.
                    room = (index // strides[v]) % (degrees[v] + 1) < degrees[v]
                    shifted = np.zeros((D, K))
                    shifted[:, index[room] + strides[v]] = dots[:, room]
                    Y += xi.T[:, :, None] * shifted[None, :, :]
                H = Y
            checksum += float(H.sum())
        times.append((time.perf_counter() - t0) * 1e3)
    return times, checksum


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

    if a.live_widths:
        # The first widths are the warm-up (imports, BLAS threads, first allocations), not timed.
        widths = [int(v) for v in a.live_widths.split(",") if v.strip()]
        live_job(np, a, widths[:a.live_warmup])
        widths = widths[a.live_warmup:]
        times, checksum = live_job(np, a, widths)
        total = sum(times)
        print(json.dumps({
            "job": "live",
            "widths": widths,
            "directions": a.directions,
            "recomputesPerSecond": round(len(times) / total * 1e3, 2),
            "medianMs": round(statistics.median(times), 3),
            "minMs": round(min(times), 3),
            "numpy": np.__version__,
            "blas": blas_info(np),
            "checksum": checksum,
        }))
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
