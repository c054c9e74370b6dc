import { describe, expect, it, vi } from 'vitest';
import { GraphBuilder } from './onnx/builder';
import { isFallbackAdapter, loadOrt, MAX_SESSIONS, Runtime, type OrtSession } from './runtime';

describe('isFallbackAdapter', () => {
  it('reads the flag where either generation of browsers puts it', () => {
    expect(isFallbackAdapter({ info: { isFallbackAdapter: true } })).toBe(true);
    expect(isFallbackAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isFallbackAdapter({ info: { isFallbackAdapter: false, vendor: 'nvidia' } })).toBe(false);
    expect(isFallbackAdapter({})).toBe(false);
  });
});

/** y = c·x on n floats: one small graph per (n, c), as the engine has one per shape. */
const graph = (n: number, c = 2) => () => {
  const g = new GraphBuilder(`scale_${n}`);
  g.output(g.scale(g.input('x', [n]), c), 'y', [n]);
  return g;
};

describe('the session cache is bounded (issue 15: ~18 MB per new rank, never released)', () => {
  it('keeps the most recently used sessions and releases the others', async () => {
    const rt = new Runtime(await loadOrt('wasm'), 'wasm', 3);
    const released: number[] = [];
    const sessions: OrtSession[] = [];
    for (let n = 1; n <= 6; n++) {
      const s = await rt.session(`g${n}`, graph(n));
      const release = s.release.bind(s);
      vi.spyOn(s, 'release').mockImplementation(() => (released.push(n), release()));
      sessions.push(s);
      // a use moves g1 to the front of the queue: it outlives g2, g3 …
      if (n >= 2) await rt.session('g1', graph(1));
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(rt.sessionCount).toBe(3);
    expect(released.sort()).toEqual([2, 3, 4]);
    // An evicted shape is built again on its next use, and runs.
    const again = await rt.session('g2', graph(2));
    expect(again).not.toBe(sessions[1]);
    const out = await rt.run(again, { x: rt.tensorOf(new Float32Array([1, 2]), [2]) });
    expect(Array.from(await rt.read(out.y!))).toEqual([2, 4]);
    expect(rt.graphNames()).toContain('g6');
    await rt.dispose();
  });

  it('releases a session evicted while it runs only when the run ends; pinned sessions stay', async () => {
    const rt = new Runtime(await loadOrt('wasm'), 'wasm', 1);
    const pinned = await rt.session('probe', graph(4), { pinned: true });
    const busy = await rt.session('busy', graph(8));
    const release = vi.spyOn(busy, 'release');
    const running = rt.run(busy, { x: rt.tensorOf(new Float32Array(8).fill(1), [8]) });
    await rt.session('next', graph(16)); // evicts 'busy' (the probe is pinned)
    await new Promise((r) => setTimeout(r, 0));
    expect(rt.sessionCount).toBe(2);
    const out = await running;
    expect(Array.from(await rt.read(out.y!))).toEqual(new Array(8).fill(2));
    expect(release).toHaveBeenCalledTimes(1);
    const y = await rt.run(pinned, { x: rt.tensorOf(new Float32Array([1, 2, 3, 4]), [4]) });
    expect(Array.from(await rt.read(y.y!))).toEqual([2, 4, 6, 8]);
    await rt.dispose();
  });

  it('holds more sessions than one demo run uses', () => {
    expect(MAX_SESSIONS).toBeGreaterThanOrEqual(12);
  });
});
