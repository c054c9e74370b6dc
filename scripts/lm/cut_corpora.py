#!/usr/bin/env python3
"""Cut the chapter-8 corpora from Debian packages, deterministically.

  pretraining: Jane Austen, "Pride and Prejudice" then "Sense and Sensibility"
               (Debian r-cran-janeaustenr; read with Rscript, which that package pulls in)
  adaptation:  Ambrose Bierce, "The Devil's Dictionary" (Debian dict-devil)

Both texts are in the public domain. Setup: apt-get install r-cran-janeaustenr dict-devil
Run:   sh companion/python.sh scripts/lm/cut_corpora.py   (writes public/corpora/)

Held-out text is cut from the end of the Austen stream and, for the dictionary, as every tenth
entry: the dictionary is alphabetical, so a tail split would hold out only the letters W–Z.
"""
import gzip
import json
import re
import subprocess
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'public' / 'corpora'
AUSTEN_TRAIN_CHARS = 1_050_000
AUSTEN_VAL_CHARS = 100_000


def normalise(text: str) -> str:
    # Plain ASCII keeps the character vocabulary small and shared by both corpora.
    text = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode('ascii')
    text = text.replace('\r', '').replace('\t', '    ')
    text = re.sub(r'[ ]+\n', '\n', text)  # trailing spaces
    text = re.sub(r'\n{3,}', '\n\n', text)  # at most one blank line
    return text


def austen() -> str:
    r = 'library(janeaustenr); cat(prideprejudice, sep="\\n"); cat("\\n\\n"); cat(sensesensibility, sep="\\n")'
    return subprocess.run(['Rscript', '-e', r], check=True, capture_output=True, text=True).stdout


def devil_entries() -> list[str]:
    raw = gzip.open('/usr/share/dictd/devil.dict.dz', 'rt', encoding='latin-1').read()
    body = raw[raw.index('ABASEMENT, n.'):raw.rindex(' abcdefghijklmnopqrstuvwxyz')]
    # An entry starts at a line that begins with a capitalised headword followed by a comma or full stop.
    parts = re.split(r'\n\n(?=[A-Z][A-Z\' -]*[A-Z][,.])', normalise(body).strip())
    return [p.strip('\n') for p in parts if p.strip()]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    a = normalise(austen())
    a_train, a_val = a[:AUSTEN_TRAIN_CHARS], a[AUSTEN_TRAIN_CHARS:AUSTEN_TRAIN_CHARS + AUSTEN_VAL_CHARS]
    entries = devil_entries()
    d_train = '\n\n'.join(e for i, e in enumerate(entries) if i % 10 != 9) + '\n'
    d_val = '\n\n'.join(e for i, e in enumerate(entries) if i % 10 == 9) + '\n'
    files = {'austen-train.txt': a_train, 'austen-val.txt': a_val, 'devil-train.txt': d_train, 'devil-val.txt': d_val}
    for name, text in files.items():
        (OUT / name).write_text(text, encoding='ascii')
    vocab = sorted(set(''.join(files.values())))
    summary = {'files': {k: len(v) for k, v in files.items()}, 'devil_entries': len(entries), 'vocab_size': len(vocab)}
    (OUT / 'summary.json').write_text(json.dumps(summary, indent=2) + '\n')
    print(json.dumps(summary, indent=2))


if __name__ == '__main__':
    main()
