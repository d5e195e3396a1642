"""Peer program for the engine benchmark on a lent GPU: the same lane pass as the WGSL engine
(deep spec B=2, L_b=3, d=r=k=1, 15 aligned directions, lanes = 15 x 7 coefficients), written
with PyTorch and *stored* float32 weights (cuBLAS SGEMM, TF32 off). It does the same FLOPs
without the in-kernel weight generation, so it shows what the generator costs on this GPU."""
import json, sys, time
import torch

torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device("cuda")
print("torch", torch.__version__, "device", torch.cuda.get_device_name(0), flush=True)
rows = []
for m in [256, 1024, 4096]:
    sizes = [1, m, m, 1, m, m, 1]  # d, hidden, hidden, r, hidden, hidden, k
    layers = len(sizes) - 1
    dirs, lanes = 15, 15 * (layers + 1)
    g = torch.Generator(device=dev).manual_seed(0)
    W = [torch.randn(sizes[i + 1], sizes[i], device=dev, generator=g) for i in range(layers)]
    U = [torch.randn(dirs, sizes[i + 1], device=dev, generator=g) for i in range(layers)]
    V = [torch.randn(dirs, sizes[i], device=dev, generator=g) for i in range(layers)]

    def run():
        H = torch.zeros(1, dirs, layers + 1, device=dev)
        H[:, :, 0] = 1.0
        for l in range(layers):
            s = sizes[l] ** -0.5
            Y = s * (W[l] @ H.reshape(sizes[l], -1)).reshape(sizes[l + 1], dirs, layers + 1)
            # rank-one Δ term: lane j reads lane j-1 through u v^T
            dots = torch.einsum("dk,kdj->dj", V[l], H[:, :, :-1])
            Y[:, :, 1:] += s * torch.einsum("dr,dj->rdj", U[l], dots)
            H = Y
        return H

    for _ in range(3):
        run()
    torch.cuda.synchronize()
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        run()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) / reps * 1e3
    flops = sum(2 * sizes[i] * sizes[i + 1] * lanes for i in range(layers))
    rows.append({"m": m, "lanes": lanes, "torch_ms": ms, "gflops": flops / ms / 1e6})
    print(json.dumps(rows[-1]), flush=True)
json.dump(rows, open(sys.argv[1] if len(sys.argv) > 1 else "torch_peer.json", "w"), indent=2)
