#!/usr/bin/env python3
"""Fixtures for adapter arithmetic (`add_weighted_adapter`) and NF4 quantisation. Trains nothing.

  .venv-companion/bin/python scripts/lm/make_combine_fixtures.py

Writes demos/lm/variants/fixtures/:
  inputs/{a,…,f}/       six PEFT adapters for the chapter-8 base (random non-zero B), saved by
                        save_pretrained: a (q,v; r 4, α 8), b (v,down; r 4, α 16, rsLoRA),
                        c (v,up; r 6, α 6, rank_pattern v_proj→2, alpha_pattern up_proj→3),
                        d (q,o; r 4, DoRA), e and f (target_modules as regular expressions)
  combined/<case>/      PEFT's add_weighted_adapter result for each case, saved by save_pretrained
  combine.json          the cases (adapters, weights, type, density, svd_rank), each result's config
                        as PEFT saved it, the logits on a fixed probe with the combined adapter
                        active, and the errors PEFT raises for the invalid cases
  nf4.json              bitsandbytes' quantize_4bit (nf4, blocksize 64) as its pure-PyTorch
                        backend computes it (bitsandbytes/backends/default/ops.py), transcribed
                        below, on random tensors with exact ties and a length not divisible by 64,
                        and the logits of the model with its seven projection kinds through NF4
"""
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import LlamaForCausalLM

from lm_files import MODEL_DIR, MODEL_NAME, ROOT

OUT = ROOT / 'demos/lm/variants/fixtures'
PROBE = 'It is a truth universally ack'

INPUTS = {
    'a': dict(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj']),
    'b': dict(r=4, lora_alpha=16, target_modules=['v_proj', 'down_proj'], use_rslora=True),
    'c': dict(r=6, lora_alpha=6, target_modules=['v_proj', 'up_proj'], rank_pattern={'v_proj': 2}, alpha_pattern={'up_proj': 3}),
    'd': dict(r=4, lora_alpha=8, target_modules=['q_proj', 'o_proj'], use_dora=True),
    # target_modules as a regular expression (PEFT: re.fullmatch on the module path)
    'e': dict(r=2, lora_alpha=4, target_modules=r'.*layers\.[01]\..*(q_proj|k_proj)'),
    'f': dict(r=2, lora_alpha=2, target_modules=r'.*\.o_proj'),
}

# (name, adapters, weights, combination_type, extra kwargs)
CASES = [
    ('linear_ab', ['a', 'b'], [1.0, 1.0], 'linear', {}),
    ('linear_ab_neg', ['a', 'b'], [0.7, -1.3], 'linear', {}),
    ('linear_single_c', ['c'], [1.5], 'cat', {}),  # one adapter: PEFT switches to linear
    ('cat_ac', ['a', 'c'], [0.3, 1.5], 'cat', {}),
    ('cat_ba', ['b', 'a'], [-0.5, 2.0], 'cat', {}),
    ('svd_ab_r4', ['a', 'b'], [1.0, -0.5], 'svd', {'svd_rank': 4}),
    ('svd_abc_r3', ['a', 'b', 'c'], [0.6, 1.2, -2.0], 'svd', {'svd_rank': 3}),
    ('svd_ca_default', ['c', 'a'], [1.0, 1.0], 'svd', {}),
    # svd_ab_r4 clamped: compared factor by factor with svd_ab_r4's, since the clamp depends on
    # LAPACK's singular-vector signs
    ('svd_ab_r4_clamp', ['a', 'b'], [1.0, -0.5], 'svd', {'svd_rank': 4, 'svd_clamp': 0.95}),
    ('cat_da_dora', ['d', 'a'], [1.0, -0.5], 'cat', {}),  # DoRA first: the result is DoRA, magnitudes = ‖W‖
    ('svd_ad_r4', ['a', 'd'], [1.0, 1.0], 'svd', {'svd_rank': 4}),  # DoRA second: its magnitudes dropped
    ('linear_ef_regex', ['e', 'f'], [1.0, -2.0], 'linear', {}),  # regex targets: joined as (e)|(f)
    ('ties_ab', ['a', 'b'], [1.0, 1.0], 'ties', {'density': 0.5}),
    ('ties_ab_neg', ['a', 'b'], [0.8, -1.5], 'ties', {'density': 0.3}),
    ('magnitude_prune_ab', ['a', 'b'], [1.0, 1.0], 'magnitude_prune', {'density': 0.6}),
    ('magnitude_prune_ba_neg', ['b', 'a'], [-0.4, 2.0], 'magnitude_prune', {'density': 0.25}),
]
ERRORS = [
    ('linear_ac_ranks', ['a', 'c'], [1.0, 1.0], 'linear', {}),
    ('ties_ac_ranks', ['a', 'c'], [1.0, 1.0], 'ties', {'density': 0.5}),
    ('unknown_type', ['a', 'b'], [1.0, 1.0], 'average', {}),
    ('mixed_target_types', ['a', 'e'], [1.0, 1.0], 'cat', {}),
    ('magnitude_prune_negative_density', ['a', 'b'], [1.0, 1.0], 'magnitude_prune', {'density': -0.1}),
]


def base_model() -> LlamaForCausalLM:
    model = LlamaForCausalLM.from_pretrained(MODEL_DIR, attn_implementation='eager').eval()
    # Saved configs name the base as the engine's writer does (MODEL_NAME), not by this machine's path.
    model.name_or_path = MODEL_NAME
    return model


def probe_ids() -> list[int]:
    vocab = json.loads((ROOT / MODEL_DIR / 'vocab.json').read_text())
    index = {ch: i for i, ch in enumerate(vocab)}
    return [index[ch] for ch in PROBE]


def make_inputs() -> None:
    for i, (name, kw) in enumerate(INPUTS.items()):
        torch.manual_seed(100 + i)
        model = get_peft_model(base_model(), LoraConfig(**kw))
        # A keeps PEFT's kaiming-uniform init; B gets random non-zero values so ΔW ≠ 0.
        for n, p in model.named_parameters():
            with torch.no_grad():
                if 'lora_B' in n:
                    p.copy_(torch.randn(p.shape) * 0.2)
                if 'lora_magnitude_vector' in n:  # trained-looking magnitudes, not ‖W‖
                    p.mul_(1 + 0.3 * torch.rand(p.shape))
        d = OUT / 'inputs' / name
        shutil.rmtree(d, ignore_errors=True)
        model.save_pretrained(d)
        (d / 'README.md').unlink(missing_ok=True)  # PEFT's model-card template: not needed here


def load_all(names: list[str]) -> PeftModel:
    """Every input adapter loaded as PeftModel.from_pretrained / load_adapter load them."""
    model = PeftModel.from_pretrained(base_model(), OUT / 'inputs' / names[0], adapter_name=names[0])
    for n in names[1:]:
        model.load_adapter(OUT / 'inputs' / n, adapter_name=n)
    return model.eval()


def run_cases() -> dict:
    ids = torch.tensor([probe_ids()])
    results = []
    for name, adapters, weights, ctype, extra in CASES:
        model = load_all(sorted(set(adapters)))
        model.add_weighted_adapter(adapters, weights, name, combination_type=ctype, **extra)
        model.set_adapter(name)
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, -8:]
        with tempfile.TemporaryDirectory() as tmp:
            model.save_pretrained(tmp, selected_adapters=[name])
            d = OUT / 'combined' / name
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(Path(tmp) / name, d)
            (d / 'README.md').unlink(missing_ok=True)
        cfg = json.loads((d / 'adapter_config.json').read_text())
        results.append({
            'name': name, 'adapters': adapters, 'weights': weights, 'combination_type': ctype, **extra,
            'config': {k: cfg[k] for k in ('r', 'lora_alpha', 'use_rslora', 'rank_pattern', 'alpha_pattern')},
            'target_modules': sorted(cfg['target_modules']) if isinstance(cfg['target_modules'], list) else cfg['target_modules'],
            'logits': [float(f'{v:.8g}') for v in logits.reshape(-1).tolist()],
        })
        print(f'{name}: r={cfg["r"]} α={cfg["lora_alpha"]} rslora={cfg["use_rslora"]} targets={results[-1]["target_modules"]}')
    errors = []
    for name, adapters, weights, ctype, extra in ERRORS:
        model = load_all(sorted(set(adapters)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                model.add_weighted_adapter(adapters, weights, name, combination_type=ctype, **extra)
            errors.append({'name': name, 'adapters': adapters, 'weights': weights, 'combination_type': ctype, **extra, 'error': None})
        except Exception as e:  # noqa: BLE001 — the message is the fixture
            errors.append({'name': name, 'adapters': adapters, 'weights': weights, 'combination_type': ctype, **extra, 'error': f'{type(e).__name__}: {e}'})
        print(f'{name}: {errors[-1]["error"]}')
    with torch.no_grad():
        base_logits = base_model()(input_ids=ids).logits[0, -8:]
    return {
        'model_dir': str(MODEL_DIR.relative_to(ROOT)), 'probe_ids': probe_ids(),
        'base_logits': [float(f'{v:.8g}') for v in base_logits.reshape(-1).tolist()],
        'cases': results, 'errors': errors,
    }


# --- NF4: bitsandbytes' default (pure-PyTorch) backend, quantize_4bit with quant_type="nf4" ---
NF4_CODE = torch.tensor([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
], dtype=torch.float32)


def quantize_4bit_nf4(A: torch.Tensor, blocksize: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes (one uint8 per value, before packing two per byte) and absmax, as the backend computes them."""
    n = A.numel()
    full_blocks = n // blocksize
    rem = n % blocksize
    blocks = full_blocks + 1 if rem else full_blocks
    absmax = torch.zeros((blocks,), dtype=torch.float32)
    flat = A.reshape(n)
    full = flat[: n - rem].reshape(n // blocksize, blocksize)
    absmax[:full_blocks] = torch.abs(full).max(dim=-1)[0]
    scaled = torch.clamp(full * (1 / absmax[:full_blocks].view(-1, 1)), -1, 1).reshape(-1)
    if rem:
        tail = flat[-rem:]
        absmax[-1] = torch.abs(tail).max()
        scaled = torch.cat([scaled, torch.clamp(tail * (1 / absmax[-1]), -1, 1)], dim=0)
    codes = torch.argmin(torch.abs(scaled.view(-1, 1) - NF4_CODE), dim=-1).to(torch.uint8)
    return codes, absmax


def dequantize_4bit_nf4(codes: torch.Tensor, absmax: torch.Tensor, n: int, blocksize: int = 64) -> torch.Tensor:
    out = NF4_CODE[codes.long()]
    rem = n % blocksize
    res = torch.empty(n, dtype=torch.float32)
    res[: n - rem] = (out[: n - rem].view(-1, blocksize) * absmax[: n // blocksize].view(-1, 1)).reshape(-1)
    if rem:
        res[n - rem:] = out[n - rem:] * absmax[-1]
    return res


def nf4_cases() -> dict:
    g = torch.Generator().manual_seed(7)
    cases = []
    # A (5, 29) weight: 145 values, two full blocks and a short one of 17.
    cases.append(('randn_5x29', torch.randn(5, 29, generator=g)))
    # Values placed exactly on the float32 midpoints between neighbouring code values (and on the
    # code values), with a block absmax of exactly 1 so scaling leaves them unchanged: the ties.
    mids = ((NF4_CODE[:-1] + NF4_CODE[1:]) / 2)
    tie = torch.cat([torch.tensor([1.0]), mids, -mids, NF4_CODE, torch.tensor([0.0, -0.0])])
    tie = torch.cat([tie, torch.zeros(64 * 2 - tie.numel())]).reshape(2, 64)
    cases.append(('ties_2x64', tie))
    # A block of zeros (absmax 0) and a block with a single huge value.
    z = torch.randn(3, 64, generator=g)
    z[0] = 0
    z[2, 5] = 1e4
    cases.append(('zero_block_3x64', z))
    cases.append(('randn_7x100', torch.randn(7, 100, generator=g) * 0.02))
    out = []
    for name, t in cases:
        codes, absmax = quantize_4bit_nf4(t)
        deq = dequantize_4bit_nf4(codes, absmax, t.numel())
        out.append({
            'name': name, 'shape': list(t.shape),
            'values_hex': t.reshape(-1).numpy().astype('<f4').tobytes().hex(),
            'codes': codes.tolist(), 'absmax_hex': absmax.numpy().astype('<f4').tobytes().hex(),
            'dequantized_hex': deq.numpy().astype('<f4').tobytes().hex(),
        })
    # The committed model's q_proj of layer 0: real weights.
    base = base_model()
    # And the whole model with its seven projection kinds through NF4 (QLoRA's frozen base):
    # logits at the probe's last 8 positions.
    qbase = base_model()
    with torch.no_grad():
        for layer in qbase.model.layers:
            for lin in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj, layer.self_attn.o_proj,
                        layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj):
                codes, absmax = quantize_4bit_nf4(lin.weight)
                lin.weight.copy_(dequantize_4bit_nf4(codes, absmax, lin.weight.numel()).reshape(lin.weight.shape))
        nf4_logits = qbase(input_ids=torch.tensor([probe_ids()])).logits[0, -8:]
    w = base.model.layers[0].self_attn.q_proj.weight.detach()
    codes, absmax = quantize_4bit_nf4(w)
    out.append({'name': 'model.layers.0.self_attn.q_proj.weight', 'shape': list(w.shape), 'codes': codes.tolist(),
                'absmax_hex': absmax.numpy().astype('<f4').tobytes().hex()})
    return {'blocksize': 64, 'cases': out, 'probe_ids': probe_ids(),
            'nf4_base_logits': [float(f'{v:.8g}') for v in nf4_logits.reshape(-1).tolist()]}


def main() -> None:
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    make_inputs()
    (OUT / 'combine.json').write_text(json.dumps(run_cases()) + '\n')
    (OUT / 'nf4.json').write_text(json.dumps(nf4_cases()) + '\n')


if __name__ == '__main__':
    # PEFT keeps target_modules as a set: its saved order, and so the files, follow string hashing.
    if os.environ.get('PYTHONHASHSEED') != '0':
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, 'PYTHONHASHSEED': '0'})
    main()
