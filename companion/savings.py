# %% [markdown]
# # Chapter 6 — Parameter savings at scale
#
# Companion to the savings calculator in the site's chapter "Adapters"
# (content/chapters/06-adapters.mdx): LoRA on a number of d_model × d_model matrices in every
# layer of a large model (the notebook: W_Q and W_V). A d×d matrix has d² parameters, its
# rank-r adapter r·d + d·r. Pure arithmetic: no random numbers, no torch needed. It prints the
# same table as the demo.
#
# Checked with: Python 3.11 (torch 2.13.0 installed, not used), by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "model": "notebook",  # "notebook" (all three), "7b", "13b", "70b" or "custom"
    "dModel": 4096,  # d_model (used by "custom")
    "layers": 32,  # layers (used by "custom")
    "matrices": 2,  # adapted matrices per layer (used by "custom"; Q and V: 2)
    "ranks": [4, 8, 16, 64],  # LoRA ranks, each at most d_model
}
# ---- end of settings ----

# %%
# The notebook's models: (name, d_model, layers, adapted matrices per layer).
PRESETS = {
    "7b": ("7B (LLaMA)", 4096, 32, 2),
    "13b": ("13B", 5120, 40, 2),
    "70b": ("70B", 8192, 80, 2),
}
choice = SETTINGS["model"]
if choice == "notebook":
    models = list(PRESETS.values())
elif choice == "custom":
    models = [("Custom model", SETTINGS["dModel"], SETTINGS["layers"], SETTINGS["matrices"])]
elif choice in PRESETS:
    models = [PRESETS[choice]]
else:
    raise SystemExit(f'model must be "notebook", "7b", "13b", "70b" or "custom", not {choice!r}')
ranks = sorted(set(SETTINGS["ranks"]))  # shown in increasing order, each once
for _, d, _, _ in models:
    if not ranks or not all(1 <= r <= d for r in ranks):
        raise SystemExit(f"ranks must be whole numbers from 1 to d_model = {d}, not {SETTINGS['ranks']}")

# %%
print("=" * 70)
print("PARAMETER SAVINGS: LoRA at Scale")
print("=" * 70)
for name, d, n_layers, per_layer in models:
    print(f"\n{name} (d_model={d}, {n_layers} layers):")
    n_matrices = per_layer * n_layers
    full_params = n_matrices * d * d
    print(f"  Full fine-tuning (Q,V only): {full_params / 1e6:.1f}M params")
    for r in ranks:
        lora_params = n_matrices * (r * d + d * r)
        print(f"  LoRA r={r:2d}: {lora_params / 1e6:>8.2f}M params ({full_params / lora_params:>6.0f}x reduction)")
print("\n" + "=" * 70)
