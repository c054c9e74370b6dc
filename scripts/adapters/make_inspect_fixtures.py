#!/usr/bin/env python3
"""Write small PEFT adapters and torch float64 answers for the adapter inspector's tests.

  .venv-companion/bin/python scripts/adapters/make_inspect_fixtures.py

Each case builds a tiny transformers model, wraps it with peft's get_peft_model (random A *and* B:
init_lora_weights=False, so every ΔW is nonzero), and save_pretrained's the adapter to
demos/inspect/fixtures/<case>/ in the dtype named. The answers come from reloading that folder with
PeftModel.from_pretrained on a float64 base, so PEFT itself decides the scaling (rank/alpha patterns,
rsLoRA) and the layout (GPT-2's Conv1D, fan_in_fan_out): ΔW = get_delta_weight() formed in float64
(transposed back to out×in for fan_in_fan_out), torch.linalg.svdvals, the Frobenius norm, and for the
pairs φ(i) = ‖V₁[:, :i]ᵀ V₂[:, :i]‖²_F / i on the right singular vectors (Hu et al. 2021, eq. 4).
Writes demos/inspect/fixtures/reference.json.
"""
import json
import shutil
import warnings
from pathlib import Path

import torch
from peft import IA3Config, LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer
from peft.tuners.lora.layer import Embedding as LoraEmbedding
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'demos' / 'inspect' / 'fixtures'
PREFIX = 'base_model.model.'
LLAMA_LINEAR = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']


def llama(seed: int) -> LlamaForCausalLM:
    # Grouped-query attention: 4 query heads, 2 key/value heads of width 8 → k/v_proj are 16×32.
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=40, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, head_dim=8, max_position_embeddings=16)
    return LlamaForCausalLM(cfg)


def gpt2(seed: int) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(vocab_size=40, n_embd=24, n_layer=2, n_head=2, n_positions=16))


def save(name: str, base, config, dtype: torch.dtype, seed: int, tweak=None) -> Path:
    torch.manual_seed(seed + 1000)
    model = get_peft_model(base, config)
    if tweak:
        tweak(model)
    model = model.to(dtype)
    d = OUT / name
    shutil.rmtree(d, ignore_errors=True)
    model.save_pretrained(d)
    return d


def reference(d: Path, make_base) -> dict:
    """Reload the saved folder on a float64 base and read every LoRA layer's ΔW from PEFT."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = PeftModel.from_pretrained(make_base(0).double(), d, autocast_adapter_dtype=False).double()
    modules, unsupported, vectors = [], [], {}
    for full, m in model.named_modules():
        if not isinstance(m, LoraLayer) or 'default' not in m.scaling:
            continue
        name = full[len(PREFIX):] if full.startswith(PREFIX) else full
        if isinstance(m, LoraEmbedding):
            unsupported.append(name)
            continue
        with torch.no_grad():
            dw = m.get_delta_weight('default').double()
            if m.fan_in_fan_out:
                dw = dw.T  # back to out×in, nn.Linear's layout
            r = m.r['default']
            _, s, vh = torch.linalg.svd(dw, full_matrices=False)
        entry = {
            'name': name, 'shape': list(dw.shape), 'rank': r, 'scaling': float(m.scaling['default']),
            'singular_values': s[:r].tolist() + [0.0] * max(0, r - s.numel()),
            'frobenius': torch.linalg.norm(dw).item(),
        }
        mag = getattr(m, 'lora_magnitude_vector', None)
        if mag is not None and 'default' in mag:
            entry['magnitude'] = mag['default'].weight.detach().double().tolist()
        modules.append(entry)
        vectors[name] = vh[:r].T  # in × r, columns = right singular vectors
    return {'dir': str(d.relative_to(ROOT)), 'modules': modules, 'unsupported': unsupported}, vectors


def phi(v1: torch.Tensor, v2: torch.Tensor) -> list[float]:
    k = min(v1.shape[1], v2.shape[1])
    return [(torch.linalg.norm(v1[:, :i].T @ v2[:, :i]) ** 2 / i).item() for i in range(1, k + 1)]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cases, vecs = {}, {}

    def add(name, make_base, config, dtype, seed, tweak=None):
        d = save(name, make_base(seed), config, dtype, seed, tweak)
        cases[name], vecs[name] = reference(d, make_base)

    add('llama-f32', llama, LoraConfig(r=4, lora_alpha=8, target_modules=LLAMA_LINEAR, init_lora_weights=False), torch.float32, 1)
    add('llama-f16', llama, LoraConfig(r=4, lora_alpha=16, target_modules=['q_proj', 'v_proj'], init_lora_weights=False), torch.float16, 2)
    # A rank pattern and an alpha pattern (regex suffixes, one naming a single layer) with rsLoRA: α/√r.
    add('llama-bf16-pattern-rslora', llama, LoraConfig(
        r=4, lora_alpha=8, target_modules=LLAMA_LINEAR, init_lora_weights=False, use_rslora=True,
        rank_pattern={'down_proj': 8, r'layers\.1\.self_attn\.q_proj': 6}, alpha_pattern={'k_proj': 32}), torch.bfloat16, 3)
    add('gpt2-conv1d', gpt2, LoraConfig(r=4, lora_alpha=8, target_modules=['c_attn', 'c_proj', 'c_fc'], fan_in_fan_out=True,
                                        init_lora_weights=False), torch.float32, 4)
    add('llama-dora', llama, LoraConfig(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj', 'down_proj'], use_dora=True,
                                        init_lora_weights=False), torch.float32, 5)
    add('llama-embedding', llama, LoraConfig(r=4, lora_alpha=8, target_modules=['embed_tokens', 'q_proj'], init_lora_weights=False),
        torch.float32, 6)

    # A rank-4 / rank-8 pair on the same modules whose rank-8 adapter starts from the rank-4 one's
    # directions plus noise, so φ is far from both 0 and 1.
    first = {}

    def keep(model):
        for n, p in model.named_parameters():
            if 'lora_' in n:
                first[n] = p.detach().clone()

    def grow(model):
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n in first:
                    src = first[n]
                    if 'lora_A' in n:
                        p[:4] = src + 0.3 * src.std() * torch.randn_like(src)
                    else:
                        p[:, :4] = src + 0.3 * src.std() * torch.randn_like(src)

    pair_targets = ['q_proj', 'v_proj', 'gate_proj']
    add('pair-r4', llama, LoraConfig(r=4, lora_alpha=8, target_modules=pair_targets, init_lora_weights=False), torch.float32, 7, keep)
    add('pair-r8', llama, LoraConfig(r=8, lora_alpha=8, target_modules=pair_targets + ['o_proj'], init_lora_weights=False),
        torch.bfloat16, 7, grow)

    # Not LoRA at all: an (IA)³ adapter, which the inspector must refuse by name.
    torch.manual_seed(8)
    ia3 = get_peft_model(llama(8), IA3Config(target_modules=['k_proj', 'v_proj', 'down_proj'], feedforward_modules=['down_proj']))
    shutil.rmtree(OUT / 'ia3', ignore_errors=True)
    ia3.save_pretrained(OUT / 'ia3')

    pairs = []
    for a, b in [('pair-r4', 'pair-r8')]:
        common = [m['name'] for m in cases[a]['modules'] if m['name'] in vecs[b]]
        pairs.append({'a': a, 'b': b, 'similarity': [{'name': n, 'phi': phi(vecs[a][n], vecs[b][n])} for n in common]})

    ref = {'generator': 'scripts/adapters/make_inspect_fixtures.py', 'torch': torch.__version__,
           'peft': __import__('peft').__version__, 'cases': cases, 'pairs': pairs}
    for readme in OUT.glob('*/README.md'):
        readme.unlink()  # PEFT's model-card template: nothing the tests read
    (OUT / 'reference.json').write_text(json.dumps(ref, indent=1) + '\n')
    print(f'wrote {len(cases)} adapters, {len(pairs)} pair(s) to {OUT.relative_to(ROOT)}')


if __name__ == '__main__':
    main()
