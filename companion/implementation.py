# %% [markdown]
# # Chapter 2 — LoRA from raw matrix operations
#
# Companion to the site's chapter "Implementation" (content/chapters/02-implementation.mdx):
# a frozen layer W₀, a LoRA adapter (A Gaussian with standard deviation 1/√d_in, B = 0), one
# forward pass h = x·W₀ᵀ + s·(x·Aᵀ)·Bᵀ, the parameter counts, and ‖ΔW‖ = 0 at initialisation.
# It prints the same lines as the chapter's demo.
#
# Draw order after `torch.manual_seed(seed)`: W₀, the adapter's A, the input x (the notebook's).
#
# Checked with: torch 2.13.0 (CPU), Python 3.11, by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "rank": 4,  # LoRA rank r
    "alpha": 8,  # α in the scaling s = α/r or α/√r
    "dIn": 64,  # input width d_in of the layer
    "dOut": 64,  # output width d_out
    "scalingRule": "alpha/r",  # "alpha/r" (LoRA) or "alpha/sqrt(r)" (rsLoRA)
    "seed": 42,  # torch.manual_seed(seed)
}
# ---- end of settings ----

# %%
import math

import torch

BATCH, SEQ_LEN = 2, 8  # the test input: 2 sequences of 8 tokens (the notebook's)

rank, d_in, d_out = SETTINGS["rank"], SETTINGS["dIn"], SETTINGS["dOut"]
if SETTINGS["scalingRule"] not in ("alpha/r", "alpha/sqrt(r)"):
    raise SystemExit(f'scalingRule must be "alpha/r" or "alpha/sqrt(r)", not {SETTINGS["scalingRule"]!r}')
if not 1 <= rank <= min(d_in, d_out):
    raise SystemExit(f"rank must be from 1 to min(d_in, d_out) = {min(d_in, d_out)}, not {rank}")


def scaling_for(alpha, r):
    """s = α/r (Hu et al.) or α/√r (rsLoRA, Kalajdzievic 2023)."""
    return alpha / math.sqrt(r) if SETTINGS["scalingRule"] == "alpha/sqrt(r)" else alpha / r


def init_lora(d_in, d_out, r, scaling):
    """A ~ N(0, 1/d_in) (one randn draw), B = 0, so ΔW = s·B·A = 0 at the start."""
    A = (torch.randn(r, d_in) * (1 / math.sqrt(d_in))).requires_grad_(True)
    B = torch.zeros(d_out, r).requires_grad_(True)
    return {"A": A, "B": B, "scaling": scaling}


def lora_forward(x, W, lora):
    """h = x·Wᵀ + s·(x·Aᵀ)·Bᵀ: A·x first (r numbers per token), then B brings it back to d_out."""
    return x @ W.T + lora["scaling"] * ((x @ lora["A"].T) @ lora["B"].T)


# %%
torch.manual_seed(SETTINGS["seed"])
W_frozen = torch.randn(d_out, d_in) * 0.1  # the pretrained layer: never requires grad
lora = init_lora(d_in, d_out, rank, scaling_for(SETTINGS["alpha"], rank))
x = torch.randn(BATCH, SEQ_LEN, d_in)
out = lora_forward(x, W_frozen, lora)

frozen, trainable = d_in * d_out, rank * d_in + d_out * rank
print(f"Input shape: {x.shape}")
print(f"Output shape: {out.shape}")
print("\nParameter count:")
print(f"  Frozen W: {frozen} (NOT trained)")
print(f"  LoRA A:   {rank * d_in}")
print(f"  LoRA B:   {d_out * rank}")
print(f"  Total trainable: {trainable}")
print(f"  Reduction: {frozen / trainable:.1f}x fewer trainable params")
print("\nAt initialization (B=0), ΔW is zero:")
delta_W = lora["scaling"] * (lora["B"] @ lora["A"])
print(f"  ||ΔW|| = {delta_W.norm().item():.10f}")
