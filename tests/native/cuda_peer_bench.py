"""PyTorch peers of `t4j_native_tests cuda-bench`: the same shapes as LibTorch composites on the same GPU, timed the
same way (5 warm-up calls, then the mean of 50 between CUDA events). With the cuda-bench log as argument, prints
the ratio composite / kernel per line.

    python3 tests/native/cuda_peer_bench.py [cuda-bench.log]
"""
import re
import sys

import torch
import torch.nn.functional as F


def time_us(fn, reps=50):
    for _ in range(5):
        fn()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(reps):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) * 1000.0 / reps


def attention(q, k, v, mask):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    s = (q @ k.transpose(-1, -2)) / q.shape[-1] ** 0.5
    return torch.softmax(s.masked_fill(~mask, float("-inf")), -1) @ v


def main():
    if not torch.cuda.is_available():
        print("SKIP: no CUDA device")
        return 77
    dev = "cuda"
    r = lambda *shape: torch.randn(*shape, device=dev)
    peers = {}
    for rows, cols in ((1024, 1536), (8192, 3072)):
        x, b = r(rows, cols), r(cols)
        peers[f"bias_gelu exact {rows} x {cols}"] = time_us(lambda: F.gelu(x + b))
    for rows, cols in ((1024, 384), (8192, 768)):
        x, res, g, b = r(rows, cols), r(rows, cols), r(cols), r(cols)
        peers[f"add_layernorm f32 {rows} x {cols}"] = time_us(lambda: F.layer_norm(x + res, (cols,), g, b, 1e-5))
    for rows in (1, 1024):
        x, w, b = r(rows, 768), r(3072, 768), r(3072)
        peers[f"int8_linear {rows} x 768 -> 3072"] = time_us(lambda: F.linear(x, w, b))  # the float32 layer it replaces
    x, w, b = r(1, 768), r(768, 3072), r(3072)
    peers["linear f32 1 x 768 -> 3072 [in,out] + GELU"] = time_us(lambda: F.gelu(torch.addmm(b, x, w), approximate="tanh"))
    x, w, b = r(1024, 384), r(1536, 384), r(1536)
    peers["linear f32 1024 x 384 -> 1536 [out,in] + GELU"] = time_us(lambda: F.gelu(F.linear(x, w, b)))
    q, k, v = r(8, 12, 128, 64), r(8, 12, 128, 64), r(8, 12, 128, 64)
    mask = torch.ones(8, 1, 1, 128, dtype=torch.bool, device=dev)
    peers["attention 8 x 12 heads x 128 x 64, key mask"] = time_us(lambda: attention(q, k, v, mask).transpose(1, 2).contiguous())
    for n in (128, 1024):
        q, kc, vc = r(1, 12, 1, 64), r(1, 12, 1024, 64), r(1, 12, 1024, 64)
        m = torch.ones(1, 1, 1, n, dtype=torch.bool, device=dev)
        peers[f"decode_attention 12 heads x 64, {n} cached"] = time_us(lambda: attention(q, kc[:, :, :n], vc[:, :, :n], m))

    kernel = {}
    if len(sys.argv) > 1:
        for line in open(sys.argv[1]):
            m = re.match(r"(.+?)\s+([0-9.]+) us", line)
            if m:
                kernel[m.group(1).strip()] = float(m.group(2))
    print(f"device: {torch.cuda.get_device_name(0)}, PyTorch {torch.__version__}")
    for name, us in peers.items():
        line = f"{name:52s} composite {us:9.1f} us"
        if name in kernel:
            line += f"   kernel {kernel[name]:9.1f} us   composite / kernel = {us / kernel[name]:.2f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
