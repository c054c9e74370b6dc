/** Marker shapes per series (circle, square, triangle, diamond): a second cue beside colour. */
import { symbol, symbolCircle, symbolDiamond, symbolSquare, symbolTriangle } from 'd3';

const shapes = [symbolCircle, symbolSquare, symbolTriangle, symbolDiamond];
const cache = new Map<string, string>();

/** The path of series `slot`'s marker centred on (0, 0); `size` is the area in units². */
export function markerSymbol(slot: number, size = 48): string {
  const key = `${slot % 4}:${size}`;
  let d = cache.get(key);
  if (d === undefined) {
    const raw = symbol(shapes[slot % 4] ?? symbolCircle, size)() ?? '';
    // Two decimals are plenty for a marker and keep the markup short.
    d = raw.replace(/-?\d*\.\d+(e-?\d+)?/g, (m) => String(Math.round(Number(m) * 100) / 100));
    cache.set(key, d);
  }
  return d;
}
