/** The words a demo shows about itself: status line, progress line, error, backend badge. */
import { type AutoChoice, type Backend, decisionWords } from '../../demos/index';
import type { DemoElements } from './dom';

export class StatusLine {
  constructor(private readonly el: DemoElements) {}

  set(text: string): void {
    this.el.status.textContent = text;
  }
  progress(text: string): void {
    this.el.progress.textContent = text;
  }
  error(text: string | undefined): void {
    this.el.error.textContent = text ?? '';
    this.el.error.hidden = !text;
  }
  /** The badge names what runs; its tooltip says why (and why not WebGPU, when Auto fell back). */
  badge(b: Backend, requested: Backend | 'auto', fallbackReason?: string, auto?: AutoChoice): void {
    const { badge, badgeWhy } = this.el;
    if (!badge || !badgeWhy) return;
    badge.textContent = backendName(b);
    badge.dataset.backend = b;
    badge.dataset.auto = auto ? (auto.measuredNow ? 'measured' : 'stored') : '';
    badgeWhy.textContent = auto ? autoWhy(b, auto) : backendWhy(b, requested, fallbackReason);
  }
}

/** Which part of the reader's machine runs the demo, then the technology's name. */
export const backendName = (b: Backend | undefined): string => (b === 'webgpu' ? 'your GPU (WebGPU)' : 'your CPU (WebAssembly)');

function backendWhy(b: Backend, requested: Backend | 'auto', reason?: string): string {
  if (b === 'webgpu') return 'Running on your GPU through onnxruntime-web’s WebGPU backend.';
  const threads = globalThis.crossOriginIsolated ? 'multi-threaded' : 'single-threaded (the page is not cross-origin isolated)';
  if (reason) return `WebAssembly on your CPU, ${threads}. Your GPU (WebGPU) was not used: ${reason}`;
  return `WebAssembly on your CPU, ${threads}${requested === 'wasm' ? ', as chosen under “Run on”' : ''}.`;
}

/** Auto chose by measurement: the figures, and when they were taken. */
function autoWhy(b: Backend, auto: AutoChoice): string {
  const when = auto.measuredNow ? 'timed just now' : `timed on ${auto.decision.at.slice(0, 10)} and remembered by this browser ("Measure again" times them anew)`;
  const where = b === 'webgpu' ? 'your GPU through onnxruntime-web’s WebGPU backend' : 'your CPU through WebAssembly';
  const words = decisionWords(auto.decision, (x) => (x === 'webgpu' ? 'WebGPU' : 'WebAssembly'));
  return `Auto chose ${backendName(b)} by measurement: ${words} (a few training steps of this kind of demo on each, ${when}). Running on ${where}.`;
}

/** "2.31 s" below ten seconds, "12.4 s" above. */
export const seconds = (secs: number): string => `${secs.toFixed(secs < 10 ? 2 : 1)} s`;
export const rate = (steps: number, secs: number): string => `${Math.round(steps / Math.max(secs, 1e-3)).toLocaleString('en')} steps/s`;
