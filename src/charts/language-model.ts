/**
 * Chapter 8's figure, from an LmDemoFrame (a run in progress or finished): the training and
 * held-out loss curves, and the base and the adapted model's continuations of the prompt side
 * by side as text, with the tokens/s and backend line. Pure: data in, SVG out.
 */
import type { LmDemoFrame } from '../../demos/index';
import type { FigurePanel } from './figures';
import { frame } from './frame';
import { lineChart } from './line-chart';
import { esc, formatCount, num, text } from './svg';

const nats = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const BACKEND: Record<LmDemoFrame['backend'], string> = { webgpu: 'WebGPU', wasm: 'WebAssembly' };

/** The line under the samples: speed and where it ran (nothing measured yet: say so). */
export function speedLine(f: LmDemoFrame): string {
  const params = f.trainableParameters > 0 ? ` · ${formatCount(f.trainableParameters)} trained parameters` : '';
  return f.tokensPerSecond > 0 ? `${formatCount(Math.round(f.tokensPerSecond))} tokens/s on ${BACKEND[f.backend]}${params}` : `on ${BACKEND[f.backend]}${params}`;
}

/** What trains: LoRA's adapters, or every weight (full fine-tuning); the panels' words follow it. */
export type LmMethod = 'lora' | 'full';

export function lmLossPanel(f: LmDemoFrame, steps: number, method: LmMethod = 'lora'): FigurePanel {
  const val = f.valLosses;
  const first = val[0];
  const lastVal = val.length > 1 ? val[val.length - 1] : undefined;
  const train = f.trainLosses;
  const summary =
    first === undefined
      ? `Training and held-out loss over ${steps} steps: not started yet.`
      : `Cross-entropy in nats per character after ${f.step} of ${steps} steps: held-out loss ${nats(first.loss)} before training` +
        (lastVal ? `, ${nats(lastVal.loss)} at step ${lastVal.step}` : '') +
        (train.length ? `; the last training batch ${nats(train[train.length - 1]!)}.` : '.');
  const svg = lineChart({
    title: method === 'full' ? 'Loss while every weight trains' : 'Loss while the adapters train',
    subtitle: 'cross-entropy, nats per character',
    desc: summary,
    series: [
      { label: 'Training batch', y: train },
      { label: 'Held-out text', x: val.map((v) => v.step), y: val.map((v) => v.loss) },
    ],
    x: { label: 'Step', integer: true, domain: [0, Math.max(1, steps)] },
    y: { label: 'Loss (nats/char)' },
    tip: (x, y, s) => `${s.label}, step ${x}: ${nats(y)} nats/char`,
    maxFocusable: 20,
    id: 'lm-loss',
  });
  const rows: Record<string, number | string>[] = train.map((loss, step) => ({ step, train: loss, heldOut: val.find((v) => v.step === step)?.loss ?? '' }));
  for (const v of val) if (v.step >= train.length) rows.push({ step: v.step, train: '', heldOut: v.loss });
  return { svg, summary, rows };
}

/**
 * Lines of at most `width` characters: the text's own line breaks, then a break after the last
 * space that fits (a word longer than the line is cut). Spaces are kept: runs of them are part
 * of the dictionary's layout.
 */
export function wrapText(s: string, width: number): string[] {
  const out: string[] = [];
  for (let line of s.split('\n')) {
    if (line.length === 0) out.push('');
    while (line.length > 0) {
      if (line.length <= width) {
        out.push(line);
        break;
      }
      const space = line.lastIndexOf(' ', width);
      const cut = space > 0 ? space + 1 : width;
      out.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  return out;
}

const COLS = 28; // characters per column line: two columns of 13-unit monospace fit a 480-unit panel
const LINE = 15;
const MAX_LINES = 14;

/** What the right-hand column shows instead of this run's adapter (the adapter switch). */
export interface LmShownSample {
  title: string;
  body: string;
  /** The row's name in the panel's data. */
  model: string;
  step: number;
}

export function lmSamplesPanel(f: LmDemoFrame, prompt: string, shown?: LmShownSample, method: LmMethod = 'lora'): FigurePanel {
  const trained = method === 'full' ? 'Fine-tuned' : 'Adapted';
  const sampleStep = shown?.step ?? f.valLosses[f.valLosses.length - 1]?.step ?? 0;
  const columns = [
    { title: 'Base model', body: f.baseSample },
    // The adapted sample is refreshed with the held-out loss: its step is the last measurement's.
    shown ?? { title: sampleStep > 0 ? `${trained}, step ${sampleStep}` : `${trained} (not trained yet)`, body: f.adaptedSample },
  ];
  const wrapped = columns.map((c) => {
    const lines = wrapText(prompt + c.body, COLS);
    return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), '…'] : lines;
  });
  const lines = Math.max(1, ...wrapped.map((w) => w.length));
  const top = 62;
  const height = top + 22 + lines * LINE + 30;
  const fr = frame({
    title: 'The prompt, continued',
    subtitle: `“${prompt.trim()}” · same seed for both models`,
    desc: `Base model: ${JSON.stringify(f.baseSample)}. ${columns[1]!.title}: ${JSON.stringify(columns[1]!.body)}. ${speedLine(f)}.`,
    id: 'lm-samples',
    height,
  });
  const colX = [12, fr.width / 2 + 6];
  // The samples keep their drawn size on narrow panels (no --chart-text-scale): scaled up like
  // axis labels, two columns of monospace would run into each other. The printout below the
  // figure has the same text at the page's size.
  let body = `<g style="--chart-text-scale:1">`;
  body += `<line class="gr" x1="${num(fr.width / 2)}" y1="${top - 8}" x2="${num(fr.width / 2)}" y2="${num(height - 36)}"/>`;
  columns.forEach((c, i) => {
    body += text({ x: colX[i], y: top + 6, 'font-weight': 600 }, c.title);
    const mono = wrapped[i]!.map((l, j) => {
      const y = top + 26 + j * LINE;
      return `<text x="${num(colX[i]!)}" y="${num(y)}" xml:space="preserve" font-family="ui-monospace,SFMono-Regular,Menlo,Consolas,monospace" font-size="12">${esc(l)}</text>`;
    });
    body += mono.join('');
  });
  body += text({ class: 'st', x: fr.width / 2, y: height - 12, 'text-anchor': 'middle' }, speedLine(f));
  body += '</g>';
  const summary = `${columns[0]!.title}: “${f.baseSample}”. ${columns[1]!.title}: “${columns[1]!.body}”. ${speedLine(f)}.`;
  // The continuations are this demo's result: on a panel narrower than the drawing (a phone,
  // or two panels side by side) the SVG's 12-unit text would render at 6–9 px, so the page
  // shows this HTML instead, at the page's own text size and without the SVG's line cut.
  const html =
    `<div class="lm-samples-html" data-lm-samples>` +
    `<p class="lm-samples-title">The prompt, continued</p>` +
    `<p class="lm-samples-sub">${esc(`“${prompt.trim()}” · same seed for both models`)}</p>` +
    `<div class="lm-samples-cols">` +
    columns.map((c) => `<div><p class="lm-samples-head">${esc(c.title)}</p><pre class="lm-samples-text">${esc(prompt + c.body)}</pre></div>`).join('') +
    `</div><p class="lm-samples-sub">${esc(speedLine(f))}</p></div>`;
  return {
    svg: fr.wrap(body),
    html,
    summary,
    rows: [
      { model: 'base', step: 0, text: prompt + f.baseSample },
      { model: shown?.model ?? 'adapted', step: sampleStep, text: prompt + columns[1]!.body },
    ],
  };
}

/** Both panels of the demo. */
export function languageModelFigure(f: LmDemoFrame, o: { steps: number; prompt: string; shown?: LmShownSample; method?: LmMethod }): FigurePanel[] {
  return [lmLossPanel(f, o.steps, o.method), lmSamplesPanel(f, o.prompt, o.shown, o.method)];
}
