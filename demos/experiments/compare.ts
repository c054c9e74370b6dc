/** Comparing results as PyTorch does (`torch.allclose`) and by their largest difference. */

/** torch.allclose(a, b, atol): |a − b| ≤ atol + rtol·|b| everywhere, rtol 1e-5 as in PyTorch. */
export function allclose(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-8, rtol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!))) return false;
  return true;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
