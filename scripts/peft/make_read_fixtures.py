"""Write demos/peft/fixtures/: small adapters saved by PEFT itself, and what torch reads from them.

Each case is a tiny transformers model wrapped with `get_peft_model`, given non-zero B (PEFT
initialises B = 0) and saved with `save_pretrained`, so the files are exactly what PEFT writes
for that configuration. expected.json holds, per case, every module PEFT created with its r,
lora_alpha and scaling (read from the live PEFT layers, not recomputed) and its A, B (and DoRA
magnitude) as torch reads them back from the file, widened to float64; plus the keys a LoRA
reader must name as skipped. Run: .venv-companion/bin/python scripts/peft/make_read_fixtures.py
"""
import json, os, shutil
import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'demos', 'peft', 'fixtures')
torch.manual_seed(1234)

llama = lambda: LlamaForCausalLM(LlamaConfig(vocab_size=24, hidden_size=16, intermediate_size=20,
    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2))
gpt2 = lambda: GPT2LMHeadModel(GPT2Config(vocab_size=24, n_embd=16, n_layer=1, n_head=2, n_positions=32))

CASES = {
    # grouped-query shapes (k, v are [8, 16]), all linear layers, both patterns (first key wins)
    'gqa-patterns-f32': (llama, dict(r=4, lora_alpha=8, target_modules='all-linear',
        rank_pattern={'q_proj': 2, r'layers\.1\.mlp\.up_proj': 6}, alpha_pattern={'v_proj': 3, 'o_proj': 5.5}), None),
    'dora-bf16': (llama, dict(r=3, lora_alpha=6, target_modules=['q_proj', 'down_proj'], use_dora=True), torch.bfloat16),
    'rslora-f16': (llama, dict(r=4, lora_alpha=8, target_modules=['k_proj', 'gate_proj'], use_rslora=True), torch.float16),
    'gpt2-conv1d': (gpt2, dict(r=2, lora_alpha=4, target_modules=['c_attn', 'c_fc'], fan_in_fan_out=True), None),
    'embedding-and-copies': (llama, dict(r=2, lora_alpha=4, target_modules=['embed_tokens', 'q_proj'], modules_to_save=['lm_head']), None),
}

def main():
    shutil.rmtree(OUT, ignore_errors=True)
    expected = {}
    for name, (make, kw, dtype) in CASES.items():
        model = get_peft_model(make(), LoraConfig(**kw))
        with torch.no_grad():
            for p_name, p in model.named_parameters():
                if 'lora_B' in p_name or 'lora_embedding_B' in p_name:
                    p.normal_(0, 0.5)
        if dtype is not None:
            model = model.to(dtype)
        folder = os.path.join(OUT, name)
        model.save_pretrained(folder)
        state = load_file(os.path.join(folder, 'adapter_model.safetensors'))
        modules = []
        for mod_name, mod in model.base_model.model.named_modules():
            if not hasattr(mod, 'lora_A') or 'default' not in mod.lora_A:
                continue
            key = f'base_model.model.{mod_name}'
            entry = {
                'name': mod_name,
                'rank': mod.r['default'],
                'alpha': mod.lora_alpha['default'],
                'scaling': mod.scaling['default'],
                'a': state[f'{key}.lora_A.weight'].double().flatten().tolist(),
                'b': state[f'{key}.lora_B.weight'].double().flatten().tolist(),
                'shape': [state[f'{key}.lora_B.weight'].shape[0], state[f'{key}.lora_A.weight'].shape[1]],
                'dtype': str(state[f'{key}.lora_A.weight'].dtype),
            }
            if f'{key}.lora_magnitude_vector' in state:
                entry['magnitude'] = state[f'{key}.lora_magnitude_vector'].double().tolist()
            modules.append(entry)
        named = {m['name'] for m in modules}
        skipped = sorted(k.removeprefix('base_model.model.') for k in state
                         if not any(k.startswith(f'base_model.model.{n}.lora_') for n in named))
        expected[name] = {'modules': modules, 'skipped': skipped}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    for folder in os.listdir(OUT):
        readme = os.path.join(OUT, folder, 'README.md')
        if os.path.exists(readme):
            os.remove(readme)  # PEFT's model-card template: not needed here

if __name__ == '__main__':
    main()
