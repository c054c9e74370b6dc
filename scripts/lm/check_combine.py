#!/usr/bin/env python3
"""Check an `npm run lm:combine` result against PEFT's own add_weighted_adapter, at any settings.

  .venv-companion/bin/python scripts/lm/check_combine.py DIR --adapters A,B --weights=w1,w2 \
      --combination TYPE [--density D] [--svd-rank R] [--svd-clamp Q]
  .venv-companion/bin/python scripts/lm/check_combine.py --jobs JOBS.json
      (a list of {"dir", "adapters", "weights", "combination", "density", "svd_rank", "svd_clamp"}:
      one Python start for many checks; one JSON line each)

Loads the base model, the input adapters (PeftModel.from_pretrained / load_adapter), runs
add_weighted_adapter with the same arguments, loads DIR with load_adapter (what from_pretrained
does), and compares, module by module, ΔW = scaling·B·A of DIR with PEFT's, then the logits on a
probe. Prints one JSON line: loaded, config differences, max relative ΔW error (and the svd
bound), logits relative error. Exits 1 when DIR does not load or differs beyond tolerance.
"""
import argparse
import copy
import json
import sys
import warnings
from pathlib import Path

import torch
from peft import PeftModel
from transformers import LlamaForCausalLM

from lm_files import MODEL_DIR

PROBE = 'It is a truth universally ack'


def delta(layer, name: str) -> torch.Tensor:
    return layer.get_delta_weight(name).double()


def check(job: dict, base: LlamaForCausalLM) -> dict:
    folders, weights = job['adapters'], job['weights']
    names = [f'in{i}' for i in range(len(folders))]
    base = copy.deepcopy(base)
    model = PeftModel.from_pretrained(base, folders[0], adapter_name=names[0])
    for n, f in zip(names[1:], folders[1:]):
        model.load_adapter(f, adapter_name=n)
    model.add_weighted_adapter(names, weights, 'peft', combination_type=job['combination'], svd_rank=job.get('svd_rank'),
                               svd_clamp=job.get('svd_clamp'), density=job.get('density'))
    result = {'dir': job['dir'], 'loaded': False}
    try:
        model.load_adapter(job['dir'], adapter_name='ours')
        result['loaded'] = True
    except Exception as e:  # noqa: BLE001
        result['error'] = f'{type(e).__name__}: {e}'
        return result
    pc, oc = model.peft_config['peft'], model.peft_config['ours']
    norm = lambda k, v: set(v) if k == 'target_modules' and not isinstance(v, str) else v  # noqa: E731
    result['config_differences'] = {k: [str(getattr(pc, k)), str(getattr(oc, k))] for k in ('r', 'lora_alpha', 'use_rslora', 'use_dora', 'target_modules')
                                    if norm(k, getattr(pc, k)) != norm(k, getattr(oc, k))}
    worst, modules = 0.0, 0
    for key, layer in model.named_modules():
        if not hasattr(layer, 'lora_A') or 'peft' not in layer.lora_A:
            continue
        if 'ours' not in layer.lora_A:
            result['missing'] = key
            break
        mags = getattr(layer, 'lora_magnitude_vector', {})
        if ('peft' in mags) != ('ours' in mags):
            result['magnitude_mismatch'] = key
            break
        if 'peft' in mags:  # DoRA: the magnitude vectors agree too
            mp, mo = mags['peft'].weight.double(), mags['ours'].weight.double()
            result['max_magnitude_rel'] = max(result.get('max_magnitude_rel', 0.0), ((mo - mp).abs().max() / mp.abs().max()).item())
        d_peft, d_ours = delta(layer, 'peft'), delta(layer, 'ours')
        worst = max(worst, ((d_ours - d_peft).abs().max() / d_peft.abs().max().clamp_min(1e-30)).item())
        modules += 1
    result['modules'] = modules
    result['max_delta_rel'] = worst
    vocab = json.loads((MODEL_DIR / 'vocab.json').read_text())
    ids = torch.tensor([[vocab.index(ch) for ch in PROBE]])
    with torch.no_grad():
        model.set_adapter('peft')
        lp = model(input_ids=ids).logits
        model.set_adapter('ours')
        lo = model(input_ids=ids).logits
    result['logits_rel'] = ((lo - lp).abs().max() / lp.abs().max()).item()
    tol = 1e-4 if job['combination'] == 'svd' else 1e-5
    result['ok'] = (not result['config_differences'] and 'missing' not in result and 'magnitude_mismatch' not in result
                    and worst < tol and result['logits_rel'] < tol and result.get('max_magnitude_rel', 0.0) < 1e-6)
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('dir', nargs='?')
    p.add_argument('--jobs')
    p.add_argument('--adapters')
    p.add_argument('--weights')
    p.add_argument('--combination')
    p.add_argument('--density', type=float)
    p.add_argument('--svd-rank', type=int)
    p.add_argument('--svd-clamp', type=float)
    a = p.parse_args()
    if a.jobs:
        jobs = json.loads(Path(a.jobs).read_text())
    else:
        jobs = [{'dir': a.dir, 'adapters': a.adapters.split(','), 'weights': [float(w) for w in a.weights.split(',')],
                 'combination': a.combination, 'density': a.density, 'svd_rank': a.svd_rank, 'svd_clamp': a.svd_clamp}]
    warnings.simplefilter('ignore')
    base = LlamaForCausalLM.from_pretrained(MODEL_DIR, attn_implementation='eager').eval()
    ok = True
    for job in jobs:
        result = check(job, base)
        ok = ok and result.get('ok', False)
        print(json.dumps(result), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
