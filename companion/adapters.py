# %% [markdown]
# # Chapter 6 — Switching adapters on one base model
#
# Companion to the site's chapter "Adapters" (content/chapters/06-adapters.mdx): one frozen
# W_base and two hand-made task adapters. Switching tasks is choosing which (A, B) pair the
# side branch uses; each adapter costs a fraction of the base matrix's storage. It prints the
# same lines as the chapter's demo.
#
# Draw order after `torch.manual_seed(seed)`: W_base; task A (init_lora's A, then a column of
# B and a row of A); task B likewise; the test input x_test (the notebook's).
#
# Checked with: torch 2.13.0 (CPU), Python 3.11, by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "rank": 4,  # LoRA rank r of both adapters
    "alpha": 8,  # α in the scaling s = α/r
    "seed": 42,  # torch.manual_seed(seed)
}
# ---- end of settings ----

# %%
import math

import torch

D_MODEL, TEST_TOKENS = 32, 4  # the notebook's layer width and test input of 4 tokens

rank = SETTINGS["rank"]
if not 1 <= rank <= D_MODEL:
    raise SystemExit(f"rank must be from 1 to d_model = {D_MODEL}, not {rank}")


def init_lora(d_in, d_out, r, scaling):
    """A ~ N(0, 1/d_in) (one randn draw), B = 0, so ΔW = s·B·A = 0 at the start."""
    A = torch.randn(r, d_in) * (1 / math.sqrt(d_in))
    B = torch.zeros(d_out, r)
    return {"A": A, "B": B, "scaling": scaling}


def lora_forward(x, W, lora):
    """h = x·Wᵀ + s·(x·Aᵀ)·Bᵀ: the frozen path plus the task's side branch."""
    return x @ W.T + lora["scaling"] * ((x @ lora["A"].T) @ lora["B"].T)


def task_adapter(c, negate_row):
    """A hand-made task adapter: the first column of B and the first row of A set to c·N(0, 1)."""
    lora = init_lora(D_MODEL, D_MODEL, rank, SETTINGS["alpha"] / rank)
    lora["B"][:, 0] = torch.randn(D_MODEL) * c
    row = torch.randn(D_MODEL) * c
    lora["A"][0, :] = -row if negate_row else row
    return lora


# %%
torch.manual_seed(SETTINGS["seed"])
W_base = torch.randn(D_MODEL, D_MODEL) * 0.1  # shared by every task, never changed
lora_task_A = task_adapter(0.5, negate_row=False)  # "translate-like"
lora_task_B = task_adapter(0.3, negate_row=True)  # "scale-like"
x_test = torch.randn(1, TEST_TOKENS, D_MODEL)

# Switching adapters: the same W_base, a different (A, B) in the side branch.
out_base = x_test @ W_base.T
out_A = lora_forward(x_test, W_base, lora_task_A)
out_B = lora_forward(x_test, W_base, lora_task_B)

bytes_per_float = 4  # float32
print("Multi-adapter switching:")
print(f"  Base model output norm:  {out_base.norm().item():.4f}")
print(f"  + Task A adapter norm:   {out_A.norm().item():.4f}")
print(f"  + Task B adapter norm:   {out_B.norm().item():.4f}")
print(f"\nAdapter storage per task: {rank * D_MODEL * 2 * bytes_per_float / 1024:.1f} KB (rank={rank}, d_model={D_MODEL}, float32)")
print(f"Base model storage:       {D_MODEL * D_MODEL * bytes_per_float / 1024:.1f} KB")
print("\n→ Store one base model + tiny adapters for each task!")
