"""Per-op time of a tiny (4-element float32) add in PyTorch, the baseline for AddBench.

Run with /usr/bin/python3 (Debian's PyTorch). Prints "<name>_ns <median>" and "<name>_best_ns <best>" lines.
"""
import statistics
import sys
import timeit

import torch

REPEATS = 7
TARGET_S = 0.5  # per repeat: long enough to swamp timer and loop overhead


def bench(stmt, env):
    timer = timeit.Timer(stmt, globals=env)
    n, t = timer.autorange()  # also serves as warm-up
    number = max(n, int(n * TARGET_S / t))
    per_op = [s / number * 1e9 for s in timer.repeat(repeat=REPEATS, number=number)]
    return min(per_op), statistics.median(per_op)


def main():
    torch.set_num_threads(1)
    print(f"# torch {torch.__version__}, python {sys.version.split()[0]}, threads {torch.get_num_threads()}")
    # Separate accumulator so the in-place run does not change the allocating run's inputs.
    env = {"a": torch.ones(4), "b": torch.ones(4), "acc": torch.ones(4)}
    for name, stmt in (("python_add", "a.add(b)"), ("python_add_inplace", "acc.add_(b)")):
        best, median = bench(stmt, env)
        print(f"{name}_ns {median:.1f}")
        print(f"{name}_best_ns {best:.1f}")


if __name__ == "__main__":
    main()
