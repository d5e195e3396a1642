#!/usr/bin/env python3
"""numpy peer for the training benchmark: full-batch gradient descent on a bottleneck network with
stored float32 weights, the way a researcher would write it with numpy on a CPU.

The network (docs/model.md §1): B blocks of L_b layers of width m, input size d, bottleneck width
r between blocks, output size k, σ = identity, each layer scaled by s_ℓ = 1/√fan-in. Weights are
drawn once (numpy's own generator, float32 N(0, 1)) and kept. One step on
L = (1/2n) Σ_i ‖f(x_i) − y_i‖²:

    forward   h_{ℓ+1} = s_ℓ W_ℓ h_ℓ                   (keep every h_ℓ)
    residual  g = f(X) − Y
    backward  G_ℓ = (−η/n) s_ℓ g h_ℓᵀ;  g ← s_ℓ W_ℓᵀ g (with the old W_ℓ);  W_ℓ += G_ℓ

All arithmetic float32 (BLAS sgemm, which accumulates in float32); the m × m gradient is formed
explicitly and added in place, as `W -= lr * grad` code does. The same work per step as the
visualiser's trainers: three products with each weight matrix and one in-place update.

Usage:
    python3 bench/train_numpy_peer.py --blocks 2 --layers 3 --width 4096 --d 8 --k 4 --r 1 \
        --n 6 --eta 0.01 --seconds 2
prints one line of JSON: steps, ms per step, steps per second, the loss before and after.
Without numpy it prints {"error": "numpy not available"} and exits 0.
"""

import argparse
import json
import sys
import time


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--d", type=int, default=8)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--r", type=int, default=1)
    p.add_argument("--n", type=int, default=6)
    p.add_argument("--eta", type=float, default=0.01)
    p.add_argument("--seconds", type=float, default=2.0, help="time to spend on the timed steps")
    p.add_argument("--max-steps", type=int, default=5000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    try:
        import numpy as np
    except ImportError:
        print(json.dumps({"error": "numpy not available"}))
        return 0

    rng = np.random.default_rng(a.seed)
    sizes = [a.d] + [a.r] * (a.blocks - 1) + [a.k]
    shapes = []
    for b in range(a.blocks):
        for i in range(a.layers):
            fan_in = sizes[b] if i == 0 else a.width
            out = sizes[b + 1] if i == a.layers - 1 else a.width
            shapes.append((out, fan_in))
    weights = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    scales = [np.float32(1.0 / np.sqrt(s[1])) for s in shapes]
    x = rng.standard_normal((a.d, a.n), dtype=np.float32)
    target = (rng.standard_normal((a.k, a.r)) @ rng.standard_normal((a.r, a.d)) / np.sqrt(a.r))
    y = (target.astype(np.float32) @ x).astype(np.float32)
    lr = np.float32(a.eta / a.n)

    def forward():
        hs = [x]
        h = x
        for w, s in zip(weights, scales):
            h = s * (w @ h)
            hs.append(h)
        return hs

    def loss():
        r = forward()[-1] - y
        return float((r.astype(np.float64) ** 2).sum() / (2 * a.n))

    def step():
        hs = forward()
        g = hs[-1] - y
        for l in range(len(weights) - 1, -1, -1):
            w, s = weights[l], scales[l]
            grad = (-lr * s * g) @ hs[l].T
            if l > 0:
                g = s * (w.T @ g)
            w += grad

    before = loss()
    for _ in range(2):
        step()
    t = time.perf_counter()
    step()
    one = time.perf_counter() - t
    steps = max(2, min(a.max_steps, int(a.seconds / max(one, 1e-6))))
    t = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - t
    print(
        json.dumps(
            {
                "steps": steps,
                "msPerStep": 1e3 * elapsed / steps,
                "stepsPerSecond": steps / elapsed,
                "lossBefore": before,
                "lossAfter": loss(),
                "dtype": "float32 weights, float32 BLAS products",
                "numpy": np.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
