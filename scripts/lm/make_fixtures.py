#!/usr/bin/env python3
"""Reference values for the language-model engine's tests, from transformers + peft themselves.

  sh companion/python.sh scripts/lm/make_fixtures.py [model_dir]   # writes demos/lm/fixtures/reference.json

For two windows of the Devil's Dictionary held-out text it records, on the committed model:
the base model's logits and mean cross-entropy; with a LoRA adapter on all seven module kinds
(peft.get_peft_model, A and B drawn nonzero) the logits, the loss and the loss's gradient with
respect to every A and B (torch autograd); and a few Adam and SGD steps of torch.optim on that
adapter (q_proj, v_proj only). The Node tests compare the engine with these, so they need no Python.
"""
import json
import sys
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lm_files import MODEL_DIR  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL_DIR
OUT = ROOT / 'demos' / 'lm' / 'fixtures' / 'reference.json'
ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']


def r8(t: torch.Tensor) -> list[float]:
    return [float(f'{v:.7g}') for v in t.detach().reshape(-1).tolist()]


def load() -> LlamaForCausalLM:
    return LlamaForCausalLM.from_pretrained(MODEL, attn_implementation='eager').eval()


def ce(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def lora_model(targets: list[str], r: int, alpha: float, rslora: bool, seed: int):
    model = get_peft_model(load(), LoraConfig(r=r, lora_alpha=alpha, target_modules=targets, lora_dropout=0.0,
                                              use_rslora=rslora, bias='none', task_type='CAUSAL_LM'))
    g = torch.Generator().manual_seed(seed)
    init = {}
    for name, p in model.named_parameters():
        if 'lora_' in name:
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
            init[name] = p.detach().clone()
    return model, init


def module_key(name: str) -> str:
    # base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight → model.layers.0.self_attn.q_proj / A
    path = name.split('base_model.model.')[1].split('.lora_')[0]
    return path


def adapter_json(model, values=None) -> dict:
    out = {}
    for name, p in model.named_parameters():
        if 'lora_' in name:
            key = module_key(name)
            which = 'a' if '.lora_A.' in name else 'b'
            out.setdefault(key, {})[which] = r8(p if values is None else values[name])
    return out


def main() -> None:
    torch.manual_seed(0)
    vocab = json.loads((MODEL / 'vocab.json').read_text())
    stoi = {c: i for i, c in enumerate(vocab)}
    text = (ROOT / 'public' / 'corpora' / 'devil-val.txt').read_text()
    T = 64
    starts = [0, 1000]
    ids = torch.tensor([[stoi[c] for c in text[s:s + T + 1]] for s in starts])
    x, y = ids[:, :-1], ids[:, 1:]
    fx: dict = {'model_dir': str(MODEL.relative_to(ROOT)) if MODEL.is_relative_to(ROOT) else str(MODEL),
                'x': x.reshape(-1).tolist(), 'y': y.reshape(-1).tolist(), 'batch': 2, 'context': T}

    base = load()
    with torch.no_grad():
        logits = base(input_ids=x).logits
    fx['base'] = {'logits': r8(logits), 'loss': ce(logits, y).item()}

    model, init = lora_model(ALL, 1, 2.0, False, 1)
    logits = model(input_ids=x).logits
    loss = ce(logits, y)
    loss.backward()
    fx['lora'] = {'targets': ALL, 'rank': 1, 'alpha': 2.0, 'use_rslora': False, 'init': adapter_json(model, init),
                  'logits': r8(logits), 'loss': loss.item(),
                  'grad': adapter_json(model, {n: p.grad for n, p in model.named_parameters() if 'lora_' in n})}

    # A few optimizer steps: batches are the two windows in turn.
    for opt_name in ['adam', 'sgd']:
        model, init = lora_model(['q_proj', 'v_proj'], 2, 4.0, True, 2)
        params = [p for n, p in model.named_parameters() if p.requires_grad]
        lr = 1e-2 if opt_name == 'adam' else 0.5
        opt = torch.optim.Adam(params, lr=lr) if opt_name == 'adam' else torch.optim.SGD(params, lr=lr)
        losses = []
        for step in range(4):
            b = step % 2
            loss = ce(model(input_ids=x[b:b + 1]).logits, y[b:b + 1])
            losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
        fx[f'train_{opt_name}'] = {'targets': ['q_proj', 'v_proj'], 'rank': 2, 'alpha': 4.0, 'use_rslora': True, 'lr': lr,
                                  'steps': 4, 'batch': 1, 'init': adapter_json(model, init), 'losses': losses,
                                  'final': adapter_json(model)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fx) + '\n')
    print(f"wrote {OUT}: base loss {fx['base']['loss']:.6f}, lora loss {fx['lora']['loss']:.6f}, "
          f"adam losses {fx['train_adam']['losses']}")


if __name__ == '__main__':
    main()
