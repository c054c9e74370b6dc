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
