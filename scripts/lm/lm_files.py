"""Where chapter 8's files are, for the Python scripts: read from demos/lm/files.json, the one
place that names them (demos/lm/files.ts reads the same file for the engine, the site and the
TypeScript scripts)."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = json.loads((ROOT / 'demos' / 'lm' / 'files.json').read_text())
#: The model's folder name, as a reader's download has it.
MODEL_NAME: str = FILES['modelName']
PUBLIC = ROOT / FILES['publicDir']
#: The committed base model's folder.
MODEL_DIR = PUBLIC / 'models' / MODEL_NAME
#: Every task's texts: {'devil': {'label', 'train', 'val'}, ...}, paths under PUBLIC.
TASKS = FILES['tasks']
