#!/usr/bin/env python3
"""PEFT and torch as the judge of the engine's LoRA variants, both ways (issue 18).

  .venv-companion/bin/python scripts/lm/variant_fixtures.py [--skip-cli]

Writes demos/lm/fixtures/variants/, which demos/lm/variants/prepare.test.ts reads (no Python in the tests):

(a) CLI-written adapters: runs `npm run lm:finetune` (via tsx) for DoRA, patterns + gaussian
    init + LoRA+, PiSSA and QLoRA into cli-*/ (adapter files + metrics.json), then loads each with
    PeftModel.from_pretrained on the chapter-8 base (QLoRA: on the base with every projection
    weight NF4-round-tripped by nf4_roundtrip below, the algorithm of bitsandbytes' quantize_4bit
    as shared/notes/lora-variants.md gives it) and records PEFT's logits at the probe, its held-out
    loss, and torch autograd's gradients of one batch's loss (PiSSA: the trained rank-r adapter on
    the residual base W - s*B0@A0, both halves read back from the converted rank-2r file).
(b) PEFT-written adapters: get_peft_model with DoRA, rsLoRA, rank/alpha patterns, float16 and
    bfloat16 tensors, and PiSSA saved unconverted, every LoRA tensor drawn nonzero, saved with
    save_pretrained into peft-*/; PEFT's logits at the probe, held-out loss and gradients of the
    adapter as from_pretrained loads it.
(c) A short LoRA+ run of DoRA (torch.optim.Adam from create_loraplus_optimizer) from peft-dora's
    adapter on fixed batches: losses and final tensors.

Numbers: check.json per folder (losses, rel differences seen here) and outputs.safetensors
(`logits` at every probe position, `grad.<engine input name>`; QLoRA also `base_logits`).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from peft.optimizers import create_loraplus_optimizer
from safetensors.torch import save_file
from transformers import LlamaForCausalLM

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / 'public' / 'models' / 'austen-char-llama'
OUT = ROOT / 'demos' / 'lm' / 'fixtures' / 'variants'
VAL_TEXT = ROOT / 'public' / 'corpora' / 'devil-val.txt'
VAL_WINDOWS = 32  # scripts/lm/cli-common.ts LM_CLI.valWindows
GRAD_WINDOWS = 2  # the gradient batch: heldOutWindows(val, 2, 64)
T = 64

NF4_CODE = torch.tensor([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=torch.float32)

# (folder, lm:finetune arguments): small adapters, few steps.
CLI_RUNS = [
    ('cli-dora', ['--targets', 'q_proj,v_proj,up_proj', '--rank', '4', '--alpha', '8', '--dora', '--steps', '12', '--seed', '3']),
    ('cli-patterns', ['--targets', 'q_proj,v_proj,down_proj', '--rank', '4', '--alpha', '8', '--rank-pattern', r'v_proj=2,layers\.[23]\.mlp\.down_proj=6',
                      '--alpha-pattern', 'down_proj=3,q_proj=12', '--init', 'gaussian', '--loraplus-ratio', '4', '--lr', '1e-3', '--steps', '12', '--seed', '4']),
    ('cli-pissa', ['--targets', 'q_proj,v_proj,gate_proj', '--rank', '4', '--alpha', '8', '--init', 'pissa', '--steps', '12', '--seed', '5', '--lr', '1e-3']),
    ('cli-pissa-rslora', ['--targets', 'k_proj,o_proj', '--rank', '3', '--alpha', '5', '--rslora', '--init', 'pissa', '--steps', '12', '--seed', '8', '--lr', '1e-3']),
    ('cli-pissa-patterns', ['--targets', 'q_proj,down_proj', '--rank', '2', '--alpha', '4', '--rank-pattern', 'down_proj=5', '--alpha-pattern', r'layers\.[02]\.self_attn\.q_proj=7',
                            '--init', 'pissa', '--steps', '12', '--seed', '9', '--lr', '1e-3']),
    ('cli-qlora', ['--targets', 'q_proj,v_proj', '--rank', '4', '--alpha', '8', '--qlora', '--steps', '12', '--seed', '6']),
    ('cli-qlora-dora-rslora', ['--targets', 'k_proj,o_proj', '--rank', '2', '--alpha', '4', '--qlora', '--dora', '--rslora', '--steps', '12', '--seed', '7']),
]


def nf4_roundtrip(w: torch.Tensor, block: int = 64) -> torch.Tensor:
    """bitsandbytes' quantize_4bit(nf4, blocksize=64) then dequantize_4bit as its pure-PyTorch
    backend computes them (backends/default/ops.py): row-major blocks of 64 (a short last block
    keeps its own absmax), x_hat = clamp(x * (1 / absmax), -1, 1), code = argmin |x_hat - code_j|
    (first minimum: a tie goes to the lower code), value = code * absmax; float32 throughout."""
    flat = w.detach().reshape(-1).to(torch.float32)
    out = torch.empty_like(flat)
    for start in range(0, flat.numel(), block):
        b = flat[start:start + block]
        absmax = b.abs().max()
        scaled = torch.clamp(b * (1 / absmax), -1, 1)
        q = torch.argmin(torch.abs(scaled.view(-1, 1) - NF4_CODE), dim=-1)
        out[start:start + block] = NF4_CODE[q] * absmax
    return out.reshape(w.shape)


def load_base(qlora: bool = False) -> LlamaForCausalLM:
    base = LlamaForCausalLM.from_pretrained(MODEL, attn_implementation='eager').eval()
    if qlora:
        with torch.no_grad():
            for name, p in base.named_parameters():
                if any(name.endswith(f'.{k}.weight') for k in ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']):
                    p.copy_(nf4_roundtrip(p))
    return base


def held_out_windows(ids: list[int], count: int, context: int):
    """demos/lm/evaluate.ts heldOutWindows: count windows evenly spaced through the text."""
    span = len(ids) - context - 1
    starts = [0 if count == 1 else (b * span) // (count - 1) for b in range(count)]
    w = torch.tensor([ids[s:s + context + 1] for s in starts])
    return w[:, :-1], w[:, 1:]


def ce(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def engine_name(param_name: str) -> str:
    """base_model.model.<path>.lora_A.default.weight → <path>.lora_A.weight (the engine's input names)."""
    n = param_name.split('base_model.model.', 1)[1]
    if '.lora_magnitude_vector.' in n:
        return n.split('.lora_magnitude_vector.')[0] + '.lora_magnitude_vector'
    for part in ('lora_A', 'lora_B'):
        if f'.{part}.' in n:
            return n.split(f'.{part}.')[0] + f'.{part}.weight'
    raise ValueError(n)


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def measure(model, val_ids: list[int]) -> dict:
    """Probe logits (every position), held-out loss, and gradients of the gradient batch's loss."""
    x, y = held_out_windows(val_ids, VAL_WINDOWS, T)
    probe = torch.tensor([val_ids[:T]])
    with torch.no_grad():
        logits = model(input_ids=probe).logits[0]
        val_loss = ce(model(input_ids=x).logits, y).item()
    gx, gy = held_out_windows(val_ids, GRAD_WINDOWS, T)
    for p in model.parameters():
        p.grad = None
    loss = ce(model(input_ids=gx).logits, gy)
    loss.backward()
    grads = {f'grad.{engine_name(n)}': p.grad.detach().clone() for n, p in model.named_parameters() if p.requires_grad and p.grad is not None}
    return {'logits': logits, 'val_loss': val_loss, 'grad_loss': loss.item(), 'grads': grads}


def write(folder: Path, m: dict, extra: dict, tensors: dict | None = None) -> None:
    t = {'logits': m['logits'].contiguous(), **{k: v.contiguous() for k, v in m['grads'].items()}, **(tensors or {})}
    save_file(t, str(folder / 'outputs.safetensors'))
    (folder / 'check.json').write_text(json.dumps({'val_loss': m['val_loss'], 'grad_loss': m['grad_loss'], **extra}, indent=1) + '\n')


def cli_adapters(val_ids: list[int], skip_run: bool) -> None:
    only = os.environ.get('ONLY', '')
    for name, args in CLI_RUNS:
        if only.startswith('cli-') and name not in only.split(','):
            continue
        folder = OUT / name
        if not skip_run:
            subprocess.run(['npx', 'tsx', 'scripts/lm/finetune.ts', '--out', str(folder.relative_to(ROOT)), *args], cwd=ROOT, check=True)
        metrics = json.loads((folder / 'metrics.json').read_text())
        qlora = metrics['variant']['qlora']
        base = load_base(qlora)
        extra: dict = {'args': args}
        tensors = {}
        if qlora:
            with torch.no_grad():
                base_logits = base(input_ids=torch.tensor([val_ids[:T]])).logits[0]
            tensors['base_logits'] = base_logits.contiguous()
            extra['base_probe_logits_rel'] = rel(torch.tensor(metrics['base_probe_logits']), base_logits[-1])
        model = PeftModel.from_pretrained(base, folder, is_trainable=True).eval()
        m = measure(model, val_ids)
        extra['engine_vs_peft_last_position_rel'] = rel(torch.tensor(metrics['probe_logits']), m['logits'][-1].detach())
        extra['engine_vs_peft_val_loss_rel'] = abs(metrics['val_loss_after'] - m['val_loss']) / m['val_loss']
        if metrics['variant']['init'] == 'pissa':
            # Gradients of what the engine trains: the rank-r adapter (first half) on W_res = W - s*B0@A0 (second half).
            extra['pissa'] = pissa_gradients(folder, val_ids, tensors)
        write(folder, m, extra, tensors)
        print(f'{name}: engine vs peft {extra["engine_vs_peft_last_position_rel"]:.2e} (last position), val loss {extra["engine_vs_peft_val_loss_rel"]:.2e}'
              + (f', NF4 base {extra["base_probe_logits_rel"]:.2e}' if qlora else ''))


def pissa_gradients(folder: Path, val_ids: list[int], tensors: dict) -> dict:
    """What the engine trains for PiSSA: the rank-r adapter (first half of the rank-2r file) on
    W_res = W - s*B0@A0 (second half), with the configuration before PEFT's conversion doubled it."""
    from safetensors.torch import load_file
    cfg = json.loads((folder / 'adapter_config.json').read_text())
    sd = load_file(str(folder / 'adapter_model.safetensors'))
    rslora = cfg['use_rslora']
    # Undo the conversion's config change: r/2, alpha/2 (alpha/sqrt(2) under rsLoRA), patterns halved.
    config = LoraConfig(r=cfg['r'] // 2, lora_alpha=cfg['lora_alpha'] / (2 ** 0.5 if rslora else 2), use_rslora=rslora,
                        rank_pattern={k: v // 2 for k, v in cfg['rank_pattern'].items()},
                        alpha_pattern={k: v / 2 for k, v in cfg['alpha_pattern'].items()},
                        target_modules=cfg['target_modules'], lora_dropout=0.0, init_lora_weights=True)
    model = get_peft_model(load_base(), config)
    with torch.no_grad():
        for n, mod in model.named_modules():
            if not (hasattr(mod, 'lora_A') and 'default' in getattr(mod, 'lora_A', {})):
                continue
            path = n.split('base_model.model.', 1)[1]
            a_full = sd[f'base_model.model.{path}.lora_A.weight']
            b_full = sd[f'base_model.model.{path}.lora_B.weight']
            r = a_full.shape[0] // 2
            assert mod.r['default'] == r, (path, mod.r['default'], r)
            s = mod.scaling['default']
            mod.lora_A['default'].weight.copy_(a_full[:r])
            mod.lora_B['default'].weight.copy_(b_full[:, :r])
            a0, b0 = a_full[r:], -b_full[:, r:]
            mod.base_layer.weight.copy_(mod.base_layer.weight - s * (b0 @ a0))
    m = measure(model, val_ids)
    for k, v in m['grads'].items():
        tensors[f'pissa.{k}'] = v.contiguous()
    tensors['pissa.logits'] = m['logits'].contiguous()
    return {'grad_loss': m['grad_loss'], 'val_loss': m['val_loss']}


PEFT_ADAPTERS = [
    # (folder, LoraConfig kwargs, dtype of the saved tensors)
    ('peft-dora', dict(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj', 'up_proj'], use_dora=True), torch.float32),
    ('peft-rslora-f16', dict(r=8, lora_alpha=16, target_modules=['q_proj', 'o_proj', 'down_proj'], use_rslora=True), torch.float16),
    ('peft-patterns-bf16', dict(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj', 'gate_proj'],
                                rank_pattern={'q_proj': 2, 'layers.3.mlp.gate_proj': 6}, alpha_pattern={'gate_proj': 4, r'layers\.[01]\..*v_proj': 12}), torch.bfloat16),
    ('peft-dora-patterns-bf16', dict(r=2, lora_alpha=6, target_modules=['k_proj', 'down_proj'], use_dora=True, rank_pattern={'down_proj': 3}), torch.bfloat16),
    ('peft-pissa-unconverted', dict(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj'], init_lora_weights='pissa'), torch.float32),
]


def peft_adapters(val_ids: list[int]) -> None:
    for i, (name, kwargs, dtype) in enumerate(PEFT_ADAPTERS):
        folder = OUT / name
        g = torch.Generator().manual_seed(100 + i)
        model = get_peft_model(load_base(), LoraConfig(lora_dropout=0.0, task_type='CAUSAL_LM', **kwargs))
        with torch.no_grad():
            for n, p in model.named_parameters():
                if '.lora_B.' in n:
                    p.copy_(p + torch.randn(p.shape, generator=g) * 0.05)
                elif '.lora_A.' in n:
                    p.copy_(p + torch.randn(p.shape, generator=g) * 0.02)
                elif 'lora_magnitude_vector' in n:
                    p.copy_(p * (1 + 0.05 * torch.randn(p.shape, generator=g)))
            for n, p in model.named_parameters():
                if 'lora_' in n:
                    p.data = p.data.to(dtype)
        model.save_pretrained(folder)
        # The reference is the adapter as a user loads it: a fresh base, from_pretrained (fp16/bf16 upcast to float32).
        loaded = PeftModel.from_pretrained(load_base(), folder, is_trainable=True).eval()
        m = measure(loaded, val_ids)
        write(folder, m, {'config': {k: (v if not isinstance(v, torch.dtype) else str(v)) for k, v in kwargs.items()}, 'dtype': str(dtype)})
        print(f'{name}: val loss {m["val_loss"]:.6f}')


def loraplus_dora_run(val_ids: list[int]) -> None:
    """Three Adam steps of LoRA+ (ratio 4) on peft-dora's adapter, fixed batches: B and the magnitude (1-D) step at 4 × lr."""
    folder = OUT / 'loraplus-dora'
    folder.mkdir(parents=True, exist_ok=True)
    model = PeftModel.from_pretrained(load_base(), OUT / 'peft-dora', is_trainable=True).train()
    lr, ratio, steps = 2e-3, 4.0, 3
    opt = create_loraplus_optimizer(model, torch.optim.Adam, lr=lr, loraplus_lr_ratio=ratio)
    x, y = held_out_windows(val_ids, 4, T)
    losses = []
    for step in range(steps):
        b = step % 4
        loss = ce(model(input_ids=x[b:b + 1]).logits, y[b:b + 1])
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    final = {f'final.{engine_name(n)}': p.detach().clone().contiguous() for n, p in model.named_parameters() if p.requires_grad}
    save_file(final, str(folder / 'outputs.safetensors'))
    groups = [{'lr': g_['lr'], 'params': len(g_['params'])} for g_ in opt.param_groups]
    (folder / 'check.json').write_text(json.dumps({'lr': lr, 'loraplus_ratio': ratio, 'steps': steps, 'windows': 4, 'losses': losses, 'param_groups': groups}, indent=1) + '\n')
    print(f'loraplus-dora: losses {losses}, groups {groups}')


def main() -> None:
    torch.manual_seed(0)
    vocab = json.loads((MODEL / 'vocab.json').read_text())
    stoi = {c: i for i, c in enumerate(vocab)}
    val_ids = [stoi[c] for c in VAL_TEXT.read_text()]
    OUT.mkdir(parents=True, exist_ok=True)
    only = os.environ.get('ONLY', '')
    if only in ('', 'cli') or only.startswith('cli-'):
        cli_adapters(val_ids, '--skip-cli' in sys.argv)
    if only in ('', 'peft'):
        peft_adapters(val_ids)
        loraplus_dora_run(val_ids)


if __name__ == '__main__':
    main()
