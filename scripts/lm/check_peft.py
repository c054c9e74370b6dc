#!/usr/bin/env python3
"""Load an engine-written adapter with peft on the committed base model and compare logits.

  npm run lm:finetune -- --out demos/lm/fixtures/peft-adapter --steps 20 --rank 4 --alpha 8
  sh companion/python.sh scripts/lm/check_peft.py demos/lm/fixtures/peft-adapter

Reads DIR/metrics.json (probe_ids, probe_logits: the engine's logits at the probe's last position),
runs PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(base), DIR) on the probe, checks the
logits within 1e-4 relative, also after merge_and_unload(), and writes DIR/peft_check.json with
peft's logits at every position, which demos/lm/peft.test.ts compares with the engine in Node.
"""
import json
import sys
import warnings
from pathlib import Path

import torch
from peft import PeftModel
from transformers import LlamaForCausalLM

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    adapter_dir = Path(sys.argv[1])
    metrics = json.loads((adapter_dir / 'metrics.json').read_text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        base = LlamaForCausalLM.from_pretrained(ROOT / metrics['model_dir'], attn_implementation='eager')
        model = PeftModel.from_pretrained(base, adapter_dir).eval()
    ids = torch.tensor([metrics['probe_ids']])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0]
        merged = model.merge_and_unload()(input_ids=ids).logits[0]
    engine = torch.tensor(metrics['probe_logits'])
    rel = ((logits[-1] - engine).abs().max() / logits[-1].abs().max()).item()
    rel_merged = ((merged - logits).abs().max() / logits.abs().max()).item()
    result = {
        'adapter_dir': str(adapter_dir), 'probe_ids': metrics['probe_ids'],
        'peft_logits': [float(f'{v:.7g}') for v in logits.reshape(-1).tolist()],
        'engine_vs_peft_last_position_rel': rel, 'merged_vs_unmerged_rel': rel_merged,
        'load_warnings': [str(w.message) for w in caught if 'lora' in str(w.message).lower() or 'missing' in str(w.message).lower()],
    }
    (adapter_dir / 'peft_check.json').write_text(json.dumps(result) + '\n')
    print(f'engine vs peft (last position): {rel:.2e} relative; merged vs unmerged: {rel_merged:.2e}; warnings: {result["load_warnings"]}')
    if rel > 1e-4:
        sys.exit(1)


if __name__ == '__main__':
    main()
