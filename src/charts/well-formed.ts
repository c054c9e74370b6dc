/**
 * A small XML well-formedness check for chart markup in Node tests (no DOMParser there):
 * tags balanced and properly nested, attributes quoted and unique, only the five XML
 * entities or numeric references, no stray '<' or '&' in text. Returns the first problem,
 * or null.
 */
export function xmlProblem(xml: string): string | null {
  const stack: string[] = [];
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  let i = 0;
  let roots = 0;
  const checkText = (s: string, at: number): string | null => {
    for (let k = 0; k < s.length; k++) {
      if (s[k] === '<') return `raw '<' at ${at + k}`;
      if (s[k] === '&' && !entity.test(s.slice(k))) return `bad entity at ${at + k}`;
    }
    return null;
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    const t = xml.slice(i, textEnd);
    if (stack.length === 0 && t.trim()) return `text outside the root at ${i}`;
    const bad = checkText(t, i);
    if (bad) return bad;
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) return 'unclosed comment';
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}> at ${lt}`;
      i = end + 1;
      continue;
    }
    // Start tag: name, then attributes name="value" until > or />.
    let k = lt + 1;
    const nameMatch = /^[A-Za-z_][\w:.-]*/.exec(xml.slice(k));
    if (!nameMatch) return `bad tag name at ${lt}`;
    const name = nameMatch[0];
    k += name.length;
    const seen = new Set<string>();
    for (;;) {
      while (/\s/.test(xml[k] ?? '')) k++;
      if (xml.startsWith('/>', k)) {
        k += 2;
        if (stack.length === 0) roots++;
        break;
      }
      if (xml[k] === '>') {
        k += 1;
        if (stack.length === 0) roots++;
        stack.push(name);
        break;
      }
      const attr = /^([A-Za-z_][\w:.-]*)\s*=\s*(["'])/.exec(xml.slice(k));
      if (!attr) return `bad attribute in <${name}> at ${k}`;
      const an = attr[1] as string;
      if (seen.has(an)) return `duplicate attribute ${an} in <${name}>`;
      seen.add(an);
      k += attr[0].length;
      const close = xml.indexOf(attr[2] as string, k);
      if (close < 0) return `unclosed attribute ${an}`;
      const bad2 = checkText(xml.slice(k, close), k);
      if (bad2) return `${bad2} (attribute ${an})`;
      k = close + 1;
    }
    i = k;
  }
  if (stack.length) return `unclosed <${stack.join('> <')}>`;
  if (roots !== 1) return `${roots} root elements`;
  return null;
}
