/** The embed snippet and the demo places the /embed/ pages are built from. */
import { describe, expect, it } from 'vitest';
import { demoPlaces, demoTags } from './demo-places';
import { EMBED_HEIGHT_MESSAGE, embedListener, embedPath, embedSnippet } from './embed';

describe('embedSnippet', () => {
  it('writes an iframe with the absolute URL (query escaped), a title and a height', () => {
    const code = embedSnippet({ url: 'https://x.org/live/embed/training/?training.rank=8&training.lr=0.1', title: 'Live demo: "Training"', height: 731.4 });
    expect(code).toContain('src="https://x.org/live/embed/training/?training.rank=8&amp;training.lr=0.1"');
    expect(code).toContain('title="Live demo: &quot;Training&quot;"');
    expect(code).toContain('height="731"');
    expect(code).toMatch(/^<iframe [^>]*><\/iframe>\n<script>[^\n]*<\/script>$/);
  });
  it('adds one line that resizes the sending frame, for messages from the site’s origin only', () => {
    const code = embedSnippet({ url: 'https://x.org/live/embed/training/', title: 't', height: 700 });
    const line = code.split('\n')[1]!;
    expect(line).toBe(embedListener('https://x.org'));
    // Run the listener against a fake host page: two frames, messages from either origin.
    const frames = [{ contentWindow: {}, style: { height: '' } }, { contentWindow: {}, style: { height: '' } }];
    let handler: ((e: unknown) => void) | undefined;
    const js = line.replace(/^<script>|<\/script>$/g, '');
    new Function('addEventListener', 'document', js)(
      (type: string, h: (e: unknown) => void) => type === 'message' && (handler = h),
      { querySelectorAll: () => frames },
    );
    handler!({ origin: 'https://x.org', source: frames[1]!.contentWindow, data: { type: EMBED_HEIGHT_MESSAGE, height: 2637.2 } });
    expect(frames.map((f) => f.style.height)).toEqual(['', '2638px']);
    handler!({ origin: 'https://evil.example', source: frames[0]!.contentWindow, data: { type: EMBED_HEIGHT_MESSAGE, height: 10 } });
    handler!({ origin: 'https://x.org', source: frames[0]!.contentWindow, data: { type: EMBED_HEIGHT_MESSAGE, height: -5 } });
    handler!({ origin: 'https://x.org', source: frames[0]!.contentWindow, data: 'not ours' });
    expect(frames.map((f) => f.style.height)).toEqual(['', '2638px']);
  });
  it('refuses a relative URL or a bad height, with a message', () => {
    expect(() => embedSnippet({ url: '/embed/training/', title: 't', height: 700 })).toThrow(/must be absolute/);
    expect(() => embedSnippet({ url: 'https://x.org/', title: 't', height: Number.NaN })).toThrow(/positive number of pixels/);
  });
  it('names the page after the demo id', () => {
    expect(embedPath('rank')).toBe('embed/rank/');
  });
});

describe('demoTags / demoPlaces', () => {
  const mdx = [
    'Text <Demo id="a" caption="First: σ and “quotes”." />',
    '```mdx',
    '<Demo id="in-a-listing" caption="not a slot" />',
    '```',
    "<Demo caption='Second' id='b' />",
  ].join('\n');
  it('reads id and caption in either order, skipping code fences', () => {
    expect(demoTags(mdx)).toEqual([
      { id: 'a', caption: 'First: σ and “quotes”.' },
      { id: 'b', caption: 'Second' },
    ]);
  });
  it('says what to do with a caption that is an expression, and with a missing id', () => {
    expect(() => demoTags('<Demo id="a" caption={x} />')).toThrow(/write the caption as a quoted string/);
    expect(() => demoTags('<Demo caption="c" />')).toThrow(/without an id/);
  });
  it('places each demo in the first chapter that has it', () => {
    const places = demoPlaces([{ body: mdx, n: 1 }, { body: '<Demo id="a" caption="again" />', n: 2 }, { n: 3 }]);
    expect([...places.keys()]).toEqual(['a', 'b']);
    expect(places.get('a')!.chapter.n).toBe(1);
  });
});
