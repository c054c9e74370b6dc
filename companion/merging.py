# %% [markdown]
# # Chapter 4 — Merging the adapter into the frozen weights
#
# Companion to the site's chapter "Merging" (content/chapters/04-merging.mdx): train the
# chapter 3 adapter (and, as chapter 3 does, full fine-tuning), merge W = W₀ + s·B·A, and check
# that one matmul with the merged weights gives the outputs of the separate adapter path. It
# prints the same lines as the chapter's demo.
#
# The test input x_test is drawn after chapter 3's draws (W₀, X, the target's B and A, the
# adapter's A), as in the notebook, so it is the notebook's x_test.
#
# Checked with: torch 2.13.0 (CPU), Python 3.11, by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "rank": 4,  # LoRA rank r of the adapter
    "lr": 0.01,  # learning rate
    "epochs": 100,  # full-batch steps
    "optimizer": "sgd",  # "sgd" or "adam"
    "scalingRule": "alpha/r",  # "alpha/r" (LoRA) or "alpha/sqrt(r)" (rsLoRA)
    "alpha": 8,  # α in the scaling s = α/r or α/√r
    "seed": 42,  # torch.manual_seed(seed)
}
# ---- end of settings ----

# %%
import math

import torch

# The task's fixed sizes (the notebook's): 200 sequences of 8 tokens of width 32, target rank 4,
# and a test input of 4 tokens.
D_MODEL, SEQ_LEN, N_SAMPLES, TARGET_RANK, TEST_TOKENS = 32, 8, 200, 4, 4

rank, lr, epochs = SETTINGS["rank"], SETTINGS["lr"], SETTINGS["epochs"]
if SETTINGS["optimizer"] not in ("sgd", "adam"):
    raise SystemExit(f'optimizer must be "sgd" or "adam", not {SETTINGS["optimizer"]!r}')
if SETTINGS["scalingRule"] not in ("alpha/r", "alpha/sqrt(r)"):
    raise SystemExit(f'scalingRule must be "alpha/r" or "alpha/sqrt(r)", not {SETTINGS["scalingRule"]!r}')
if not 1 <= rank <= D_MODEL:
    raise SystemExit(f"rank must be from 1 to d_model = {D_MODEL}, not {rank}")


def scaling_for(alpha, r):
    """s = α/r (Hu et al.) or α/√r (rsLoRA, Kalajdzievic 2023)."""
    return alpha / math.sqrt(r) if SETTINGS["scalingRule"] == "alpha/sqrt(r)" else alpha / r


def init_lora(d_in, d_out, r, scaling):
    """A ~ N(0, 1/d_in) (one randn draw), B = 0, so ΔW = s·B·A = 0 at the start."""
    A = (torch.randn(r, d_in) * (1 / math.sqrt(d_in))).requires_grad_(True)
    B = torch.zeros(d_out, r).requires_grad_(True)
    return {"A": A, "B": B, "scaling": scaling}


def lora_forward(x, W, lora):
    """h = x·Wᵀ + s·(x·Aᵀ)·Bᵀ: the frozen path plus the low-rank side branch."""
    return x @ W.T + lora["scaling"] * ((x @ lora["A"].T) @ lora["B"].T)


def make_optimizer(params):
    """The manual SGD step of the notebook, or torch.optim.Adam (β = 0.9, 0.999; ε = 1e-8)."""
    if SETTINGS["optimizer"] == "adam":
        adam = torch.optim.Adam(params, lr=lr)

        def step():
            adam.step()
            adam.zero_grad()

        return step

    def step():
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()

    return step


def train(params, predict):
    """Full-batch training of `params` on the MSE of predict() against Y_data."""
    step = make_optimizer(params)
    for _ in range(epochs):
        loss = ((predict() - Y_data) ** 2).mean()
        loss.backward()
        step()


# %%
# Chapter 3, silently: the task, the LoRA run and the full fine-tuning run.
torch.manual_seed(SETTINGS["seed"])
W_pretrained = torch.randn(D_MODEL, D_MODEL) * 0.1
X_data = torch.randn(N_SAMPLES, SEQ_LEN, D_MODEL)
W_target_B = torch.randn(D_MODEL, TARGET_RANK) * 0.3
W_target_A = torch.randn(TARGET_RANK, D_MODEL) * 0.3
Y_data = X_data @ W_pretrained.T + X_data @ W_target_A.T @ W_target_B.T

lora = init_lora(D_MODEL, D_MODEL, rank, scaling_for(SETTINGS["alpha"], rank))
train([lora["A"], lora["B"]], lambda: lora_forward(X_data, W_pretrained, lora))
W_full = W_pretrained.clone().requires_grad_(True)
train([W_full], lambda: X_data @ W_full.T)

# %%
# Merge, and compare the two paths on a fresh test input.
with torch.no_grad():
    delta_W = lora["scaling"] * (lora["B"] @ lora["A"])
    W_merged = W_pretrained + delta_W
    x_test = torch.randn(1, TEST_TOKENS, D_MODEL)
    out_separate = lora_forward(x_test, W_pretrained, lora)
    out_merged = x_test @ W_merged.T  # one matmul: no adapter left at inference

print("Verification: separate LoRA vs merged weights")
print(f"  Max difference: {(out_separate - out_merged).abs().max().item():.2e}")
print(f"  Are equal: {torch.allclose(out_separate, out_merged, atol=1e-5)}")
print("\nInference cost:")
print("  With LoRA:  2 matmuls (frozen W + adapter B@A@x)")
print("  Merged:     1 matmul (same cost as original model!)")


# %%
# The notebook's figure. It is drawn when this runs as a notebook (Jupyter, Colab) and, saved as
# merging.png, with `python merging.py --plot`; a plain run prints text only (what the site's tests compare).
import sys

IN_NOTEBOOK = "ipykernel" in sys.modules
if IN_NOTEBOOK or "--plot" in sys.argv:
    import matplotlib

    if not IN_NOTEBOOK:
        matplotlib.use("Agg")  # no display needed: the figure goes to a file
    import matplotlib.pyplot as plt

    # The learned update, its spectrum (at most `rank` non-zero singular values), and full
    # fine-tuning's update beside it (no rank limit).
    S = torch.linalg.svdvals(delta_W)
    S_full = torch.linalg.svdvals((W_full - W_pretrained).detach())
    shown = min(20, len(S))
    fig, axes = plt.subplots(1, 3, figsize=(18, 5))

    im = axes[0].imshow(delta_W.numpy(), cmap="RdBu", aspect="auto")
    axes[0].set(xlabel="Input dim", ylabel="Output dim", title=f"Learned ΔW = s·B·A (rank {rank})")
    plt.colorbar(im, ax=axes[0])

    axes[1].bar(range(shown), S[:shown].numpy())
    axes[1].axvline(x=rank - 0.5, color="red", linestyle="--", label=f"Rank boundary (r={rank})")
    axes[1].set(xlabel="Singular value index", ylabel="Magnitude", title="Singular values of the learned ΔW")
    axes[1].legend()

    axes[2].bar(range(shown), S_full[:shown].numpy(), alpha=0.6, label="Full FT ΔW")
    axes[2].bar(range(shown), S[:shown].numpy(), alpha=0.6, label=f"LoRA ΔW (r={rank})")
    axes[2].set(xlabel="Singular value index", ylabel="Magnitude", title="ΔW spectra: full fine-tuning vs LoRA")
    axes[2].legend()

    plt.tight_layout()
    if IN_NOTEBOOK:
        plt.show()
    else:
        fig.savefig("merging.png", dpi=100)
        print("saved merging.png")
