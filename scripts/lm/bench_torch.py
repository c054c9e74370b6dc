#!/usr/bin/env python3
"""PyTorch eager, 1 CPU thread: seconds per LoRA training step (peft, Adam) on the committed model.

  python scripts/lm/bench_torch.py BATCH CONTEXT RANK STEPS   → one JSON line on stdout
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


def main() -> None:
    batch, context, rank, steps = (int(a) for a in sys.argv[1:5])
    torch.set_num_threads(1)
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
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sec = (time.perf_counter() - t0) / steps
    print(json.dumps({'torch': torch.__version__, 'seconds_per_step': sec, 'tokens_per_s': batch * context / sec}))


if __name__ == '__main__':
    main()
