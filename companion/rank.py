# %% [markdown]
# # Chapter 5 — The effect of the rank
#
# Companion to the site's chapter "Rank" (content/chapters/05-rank.mdx): the chapter 3 task
# learned by adapters of several ranks, each started from `torch.manual_seed(seed)` as the
# notebook reseeds before every init_lora; the final loss and the parameters per rank. It
# prints the same lines as the chapter's demo.
#
# With α fixed, s = α/r changes the effective step size with r, so under SGD the sweep is not
# monotone; Adam, or the α/√r rule, shows the elbow at the target's true rank (4).
#
# Checked with: torch 2.13.0 (CPU), Python 3.11, by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "ranks": [1, 2, 4, 8, 16, 32],  # the ranks to train, each from 1 to d_model = 32
    "optimizer": "sgd",  # "sgd" or "adam"
    "lr": 0.01,  # learning rate
    "epochs": 100,  # full-batch steps per rank
    "scalingRule": "alpha/r",  # "alpha/r" (LoRA) or "alpha/sqrt(r)" (rsLoRA)
    "alpha": 8,  # α in the scaling s = α/r or α/√r
    "seed": 42,  # torch.manual_seed(seed)
}
# ---- end of settings ----

# %%
import math

import torch

# The task's fixed sizes (the notebook's): 200 sequences of 8 tokens of width 32, target rank 4.
D_MODEL, SEQ_LEN, N_SAMPLES, TARGET_RANK = 32, 8, 200, 4

lr, epochs = SETTINGS["lr"], SETTINGS["epochs"]
# The demo runs the ranks in increasing order, each once.
ranks = sorted(set(SETTINGS["ranks"]))
if SETTINGS["optimizer"] not in ("sgd", "adam"):
    raise SystemExit(f'optimizer must be "sgd" or "adam", not {SETTINGS["optimizer"]!r}')
if SETTINGS["scalingRule"] not in ("alpha/r", "alpha/sqrt(r)"):
    raise SystemExit(f'scalingRule must be "alpha/r" or "alpha/sqrt(r)", not {SETTINGS["scalingRule"]!r}')
if not ranks or not all(1 <= r <= D_MODEL for r in ranks):
    raise SystemExit(f"ranks must be whole numbers from 1 to d_model = {D_MODEL}, not {SETTINGS['ranks']}")


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


# %%
# Chapter 3's task data (the adapter chapter 3 draws next is not needed here).
torch.manual_seed(SETTINGS["seed"])
W_pretrained = torch.randn(D_MODEL, D_MODEL) * 0.1
X_data = torch.randn(N_SAMPLES, SEQ_LEN, D_MODEL)
W_target_B = torch.randn(D_MODEL, TARGET_RANK) * 0.3
W_target_A = torch.randn(TARGET_RANK, D_MODEL) * 0.3
Y_data = X_data @ W_pretrained.T + X_data @ W_target_A.T @ W_target_B.T

# %%
full_params = D_MODEL * D_MODEL
final_losses, param_counts = [], []  # for the figure
print("Rank vs Final Loss:")
for r in ranks:
    torch.manual_seed(SETTINGS["seed"])  # every rank starts from the same seed
    lora = init_lora(D_MODEL, D_MODEL, r, scaling_for(SETTINGS["alpha"], r))
    step = make_optimizer([lora["A"], lora["B"]])
    for epoch in range(epochs):
        loss = ((lora_forward(X_data, W_pretrained, lora) - Y_data) ** 2).mean()
        loss.backward()
        step()
    params = 2 * r * D_MODEL
    final_losses.append(loss.item())
    param_counts.append(params)
    # The loss of the last epoch, computed before its update, as the notebook prints it.
    print(f"  r={r:2d}: loss={loss.item():.6f}, params={params:5d} ({100 * params / full_params:.1f}% of full)")


# %%
# The notebook's figure. It is drawn when this runs as a notebook (Jupyter, Colab) and, saved as
# rank.png, with `python rank.py --plot`; a plain run prints text only (what the site's tests compare).
import sys

IN_NOTEBOOK = "ipykernel" in sys.modules
if IN_NOTEBOOK or "--plot" in sys.argv:
    import matplotlib

    if not IN_NOTEBOOK:
        matplotlib.use("Agg")  # no display needed: the figure goes to a file
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    axes[0].plot(ranks, final_losses, "o-", linewidth=2, markersize=8)
    axes[0].axvline(x=TARGET_RANK, color="red", linestyle="--", alpha=0.5, label=f"True rank of target = {TARGET_RANK}")
    axes[0].set(xlabel="LoRA rank (r)", ylabel="Final loss", title="Loss vs LoRA rank", yscale="log")
    axes[0].legend()
    axes[0].grid(True, alpha=0.3)

    axes[1].plot(param_counts, final_losses, "o-", linewidth=2, markersize=8)
    axes[1].axvline(x=full_params, color="gray", linestyle="--", alpha=0.5, label=f"Full FT ({full_params} params)")
    axes[1].set(xlabel="Trainable parameters", ylabel="Final loss", title="Loss vs parameter count", yscale="log")
    axes[1].legend()
    axes[1].grid(True, alpha=0.3)

    plt.tight_layout()
    if IN_NOTEBOOK:
        plt.show()
    else:
        fig.savefig("rank.png", dpi=100)
        print("saved rank.png")
