#!/usr/bin/env python3
"""What PyTorch draws for chapter 8's training run, for the engine's tests (demos/lm/init.test.ts).

  sh companion/python.sh scripts/lm/make_init_fixture.py   # writes demos/lm/fixtures/peft-init.json

For a few settings it runs the idiomatic sequence the engine reproduces: load the base model,
torch.manual_seed(seed), get_peft_model(base, LoraConfig(...)), then the batch starts
torch.randint(span, (batch,)) of a few steps; and records every lora_A (head, tail, sum, sum of
squares), that every lora_B is zero, and the starts. A second part records plain
torch.randint and Tensor.uniform_ calls after manual_seed. Nothing here is tuned: a different
draw order in the engine changes every recorded value.
"""
import json
import sys
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lm_files import MODEL_DIR  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'demos' / 'lm' / 'fixtures' / 'peft-init.json'

# (seed, targets in the order a user might list them, rank, alpha, rslora, span, batch, steps)
SETTINGS = [
    (5, ['v_proj', 'q_proj', 'down_proj'], 3, 7.0, False, 1000, 4, 3),
    (0, ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], 2, 4.0, True, 20000, 5, 2),
    (123, ['up_proj'], 1, 1.0, False, 77, 3, 2),
]


def summary(t: torch.Tensor) -> dict:
    v = t.detach().reshape(-1).double()
    return {'shape': list(t.shape), 'head': v[:6].tolist(), 'tail': v[-6:].tolist(),
            'sum': v.sum().item(), 'sumsq': (v * v).sum().item()}


def main() -> None:
    cases = []
    for seed, targets, r, alpha, rslora, span, batch, steps in SETTINGS:
        base = AutoModelForCausalLM.from_pretrained(MODEL_DIR)
        torch.manual_seed(seed)
        model = get_peft_model(base, LoraConfig(r=r, lora_alpha=alpha, target_modules=targets, use_rslora=rslora, lora_dropout=0.0))
        starts = [torch.randint(span, (batch,)).tolist() for _ in range(steps)]
        modules = {}
        for name, p in model.named_parameters():
            if '.lora_A.' in name:
                modules[name.split('base_model.model.')[1].split('.lora_A.')[0]] = summary(p)
            elif '.lora_B.' in name:
                assert not p.detach().any(), name
        cases.append({'seed': seed, 'targets': targets, 'rank': r, 'alpha': alpha, 'rslora': rslora,
                      'span': span, 'batch': batch, 'starts': starts, 'lora_A': modules})
    plain = []
    for seed, calls in [(7, [('randint', 1000, 9), ('uniform', -0.3, 0.3, 40), ('randint', 3, 5), ('rand', 0, 1, 5)]),
                        (2 ** 31 + 5, [('uniform', -1 / 344 ** 0.5, 1 / 344 ** 0.5, 20), ('randint', 2 ** 28 - 1, 3), ('randint', 2 ** 28, 3), ('randint', 4_000_000_000, 4), ('randint', 2 ** 40 + 3, 2)])]:
        torch.manual_seed(seed)
        out = []
        for call in calls:
            if call[0] == 'randint':
                out.append({'op': 'randint', 'high': call[1], 'n': call[2], 'values': torch.randint(call[1], (call[2],)).tolist()})
            elif call[0] == 'rand':
                out.append({'op': 'rand', 'n': call[3], 'values': torch.rand(call[3]).tolist()})
            else:
                out.append({'op': 'uniform', 'from': call[1], 'to': call[2], 'n': call[3],
                            'values': torch.empty(call[3]).uniform_(call[1], call[2]).tolist()})
        plain.append({'seed': seed, 'calls': out})
    doc = {'generator': f'torch {torch.__version__.split("+")[0]} CPU, transformers + peft as installed; '
                        'written by scripts/lm/make_init_fixture.py', 'peft': cases, 'plain': plain}
    OUT.write_text(json.dumps(doc, indent=1) + '\n')
    print(f'wrote {OUT.relative_to(ROOT)}')


if __name__ == '__main__':
    main()
