#!/usr/bin/env python3
"""PyTorch eager on the CPU: seconds per LoRA training step (peft, Adam) on the committed model,
and the GFLOP/s of a plain chain of the step's matmul sizes (the practical peak), with THREADS threads.

  python scripts/lm/bench_torch.py BATCH CONTEXT RANK STEPS [THREADS]   → one JSON line on stdout

Wall and CPU (process) seconds are both given: under load from other programs the CPU time of a
one-thread run is the steadier figure.
"""
import json
import sys
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lm_files import MODEL_DIR  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def timed(fn, n: int, pick=lambda xs: xs[len(xs) // 2]) -> tuple[float, float]:
    """Wall and CPU seconds of n calls (after the caller's warm-up): the median unless `pick` says otherwise."""
    walls, cpus = [], []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return pick(sorted(walls)), pick(sorted(cpus))


def main() -> None:
    batch, context, rank, steps = (int(a) for a in sys.argv[1:5])
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    base = LlamaForCausalLM.from_pretrained(MODEL_DIR, attn_implementation='eager')
    model = get_peft_model(base, LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=['q_proj', 'v_proj'], lora_dropout=0.0, task_type='CAUSAL_LM'))
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    x = torch.randint(0, base.config.vocab_size, (batch, context + 1))

    def step() -> None:
        logits = model(input_ids=x[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    wall, cpu = timed(step, steps)

    # The plain matmul chain: every projection of one forward pass (x·Wᵀ at the step's sizes).
    c = base.config
    n, d, f = batch * context, c.hidden_size, c.intermediate_size
    shapes = [(d, d)] * 4 + [(d, f), (d, f), (f, d)]
    xs = {k: torch.randn(n, k) for k in {d, f}}
    ws = [torch.randn(k, m) for k, m in shapes]
    flops = c.num_hidden_layers * sum(2 * n * k * m for k, m in shapes)

    def chain() -> None:
        with torch.no_grad():
            for _ in range(c.num_hidden_layers):
                for (k, _m), w in zip(shapes, ws):
                    torch.mm(xs[k], w)

    for _ in range(3):
        chain()
    mm_wall, mm_cpu = timed(chain, 15, min)  # the best run: the peak
    print(json.dumps({'torch': torch.__version__, 'threads': threads, 'seconds_per_step': wall, 'cpu_seconds_per_step': cpu,
                      'tokens_per_s': batch * context / wall, 'matmul_gflops': flops / mm_wall / 1e9, 'matmul_gflops_cpu': flops / mm_cpu / 1e9}))


if __name__ == '__main__':
    main()
