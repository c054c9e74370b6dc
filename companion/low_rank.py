# %% [markdown]
# # Chapter 1 — Low-rank approximation intuition
#
# Companion to the site's chapter "Low rank" (content/chapters/01-low-rank.mdx): a synthetic
# fine-tuning update ΔW = B·A + noise of true rank r_t, its singular values, the error of its
# best rank-r approximations, and how many singular values hold 99% of its energy. It prints
# the demo's summary lines (with one more significant digit than the page shows).
#
# Draw order after `torch.manual_seed(seed)`: a d×k "pretrained" W (unused, but it moves the
# random stream, as in the notebook), B, A, then the noise.
#
# Checked with: torch 2.13.0 (CPU), Python 3.11, by tests/unit/companion.test.ts.

# %%
# ---- settings (the demo's parameters; "Export as Python" fills in the page's values) ----
SETTINGS = {
    "trueRank": 4,  # rank of B·A
    "noise": 0.001,  # standard deviation of the noise added to B·A
    "size": 64,  # d = k, the matrix is size × size
    "seed": 42,  # torch.manual_seed(seed)
}
# ---- end of settings ----

# %%
import torch

d = k = SETTINGS["size"]
true_rank, noise = SETTINGS["trueRank"], SETTINGS["noise"]
if not 1 <= true_rank <= d:
    raise SystemExit(f"trueRank must be from 1 to size = {d}, not {true_rank}")

torch.manual_seed(SETTINGS["seed"])
W_pretrained = torch.randn(d, k)  # drawn only to keep the notebook's random stream
delta_B = torch.randn(d, true_rank) * 0.1
delta_A = torch.randn(true_rank, k) * 0.1
delta_W = delta_B @ delta_A  # rank true_rank
delta_W += torch.randn(d, k) * noise

# %%
U, S, Vh = torch.linalg.svd(delta_W)

# Relative error of the best rank-r approximation (Eckart–Young), by reconstruction as the
# notebook computes it, so float32 round-off shows as a floor near full rank instead of 0.
errors = []
for r in range(1, min(d, k) + 1):
    approx = U[:, :r] @ torch.diag(S[:r]) @ Vh[:r, :]
    errors.append((delta_W - approx).norm().item() / delta_W.norm().item())

# Fraction of ‖ΔW‖²_F = Σσ² kept by the first i singular values.
energy = (S.double() ** 2).cumsum(0) / (S.double() ** 2).sum()
rank_for_99 = int((energy < 0.99).sum().item()) + 1

sigma = S.tolist()
above = f", σ_{true_rank + 1} = {sigma[true_rank]:.4g}" if true_rank < len(sigma) else ""
print(f"ΔW: {d}x{k}, true rank {true_rank}, noise {noise}")
print(f"  σ_1 = {sigma[0]:.4g}, σ_{true_rank} = {sigma[true_rank - 1]:.4g}{above}")
print(f"  relative error at r = {true_rank}: {errors[true_rank - 1]:.4g}")
print(f"  99% of the energy with r = {rank_for_99}")


# %%
# The notebook's figure. It is drawn when this runs as a notebook (Jupyter, Colab) and, saved as
# low_rank.png, with `python low_rank.py --plot`; a plain run prints text only (what the site's tests compare).
import sys

IN_NOTEBOOK = "ipykernel" in sys.modules
if IN_NOTEBOOK or "--plot" in sys.argv:
    import matplotlib

    if not IN_NOTEBOOK:
        matplotlib.use("Agg")  # no display needed: the figure goes to a file
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(18, 5))
    S_np = S.numpy()

    # Singular values: a sharp drop after the true rank is the low-rank structure.
    axes[0].bar(range(len(S_np)), S_np)
    axes[0].axvline(x=true_rank - 0.5, color="red", linestyle="--", label=f"True rank = {true_rank}")
    axes[0].set(xlabel="Singular value index", ylabel="Magnitude", title="Singular values of ΔW")
    axes[0].legend()

    # Relative error of the rebuilt rank-r approximation: the float32 floor shows at full rank.
    axes[1].plot(range(1, len(errors) + 1), errors, linewidth=2)
    axes[1].axvline(x=true_rank, color="red", linestyle="--", label=f"r = {true_rank}")
    axes[1].set(xlabel="Rank of approximation", ylabel="Relative error", title="Reconstruction error vs rank", yscale="log")
    axes[1].legend()
    axes[1].grid(True, alpha=0.3)

    # Cumulative energy: the fraction of ‖ΔW‖²_F the first i singular values hold.
    axes[2].plot(range(1, len(energy) + 1), energy.numpy(), linewidth=2)
    axes[2].axhline(y=0.99, color="gray", linestyle="--", alpha=0.5, label="99%")
    axes[2].axvline(x=true_rank, color="red", linestyle="--", label=f"r = {true_rank}")
    axes[2].set(xlabel="Number of singular values", ylabel="Fraction of energy", title="Cumulative energy")
    axes[2].legend()
    axes[2].grid(True, alpha=0.3)

    plt.tight_layout()
    if IN_NOTEBOOK:
        plt.show()
    else:
        fig.savefig("low_rank.png", dpi=100)
        print("saved low_rank.png")
