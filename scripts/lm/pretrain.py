#!/usr/bin/env python3
"""Pretrain the chapter-8 character-level LLaMA on Austen, seeded and reproducible.

The model is transformers' own LlamaForCausalLM, so the files it saves are native
(`LlamaForCausalLM.from_pretrained(dir)` loads them with no missing or unexpected keys).

  npm run pretrain            # = sh companion/python.sh scripts/lm/pretrain.py
  ... --steps 40 --out /tmp/x # a short timing run

Prints the time and the train / held-out losses (nats per character) as it goes, and writes
config.json, model.safetensors (float32), vocab.json and README.md to the output folder.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lm_files import MODEL_DIR, MODEL_NAME  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / 'public' / 'corpora'
NAME = MODEL_NAME


def vocabulary() -> list[str]:
    # Every character of both corpora, so the adaptation text needs no new tokens.
    text = ''.join((CORPORA / f).read_text() for f in ['austen-train.txt', 'austen-val.txt', 'devil-train.txt', 'devil-val.txt'])
    return sorted(set(text))


def encode(text: str, stoi: dict[str, int]) -> torch.Tensor:
    return torch.tensor([stoi[c] for c in text], dtype=torch.long)


def batch(data: torch.Tensor, bsz: int, ctx: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    ix = torch.randint(0, len(data) - ctx - 1, (bsz,), generator=gen)
    x = torch.stack([data[i:i + ctx] for i in ix])
    y = torch.stack([data[i + 1:i + ctx + 1] for i in ix])
    return x, y


@torch.no_grad()
def evaluate(model: LlamaForCausalLM, data: torch.Tensor, bsz: int, ctx: int, batches: int) -> float:
    gen = torch.Generator().manual_seed(1234)  # the same held-out windows at every evaluation
    model.eval()
    total = 0.0
    for _ in range(batches):
        x, y = batch(data, bsz, ctx, gen)
        total += model(input_ids=x, labels=None).logits.log_softmax(-1).gather(-1, y[..., None]).mean().neg().item()
    model.train()
    return total / batches


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=1500)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--context', type=int, default=64)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--eval-every', type=int, default=250)
    p.add_argument('--eval-batches', type=int, default=10)
    p.add_argument('--out', type=Path, default=MODEL_DIR)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    vocab = vocabulary()
    stoi = {c: i for i, c in enumerate(vocab)}
    train = encode((CORPORA / 'austen-train.txt').read_text(), stoi)
    val = encode((CORPORA / 'austen-val.txt').read_text(), stoi)
    devil_val = encode((CORPORA / 'devil-val.txt').read_text(), stoi)

    config = LlamaConfig(
        vocab_size=len(vocab), hidden_size=128, intermediate_size=344, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=args.context,
        rms_norm_eps=1e-5, rope_theta=10000.0, hidden_act='silu', tie_word_embeddings=False,
        attention_bias=False, mlp_bias=False, attention_dropout=0.0, initializer_range=0.02,
        bos_token_id=None, eos_token_id=None, pad_token_id=None,
    )
    model = LlamaForCausalLM(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'{n_params:,} parameters; vocab {len(vocab)}; {args.steps} steps of {args.batch} x {args.context}', flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    warmup = min(100, args.steps // 10)

    def lr_at(step: int) -> float:  # linear warm-up, then cosine down to a tenth
        if step < warmup:
            return args.lr * (step + 1) / warmup
        t = (step - warmup) / max(1, args.steps - warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))

    gen = torch.Generator().manual_seed(args.seed)
    log: list[dict[str, float]] = []
    t0 = time.time()
    running = 0.0
    for step in range(args.steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step)
        x, y = batch(train, args.batch, args.context, gen)
        loss = torch.nn.functional.cross_entropy(model(input_ids=x).logits.reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running += loss.item()
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            n = (step + 1) % args.eval_every or args.eval_every
            row = {'step': step + 1, 'train': running / n, 'val': evaluate(model, val, 32, args.context, args.eval_batches),
                   'devil_val': evaluate(model, devil_val, 32, args.context, args.eval_batches), 'seconds': time.time() - t0}
            running = 0.0
            log.append(row)
            print(f"step {row['step']:5d}  train {row['train']:.4f}  austen val {row['val']:.4f}  "
                  f"devil val {row['devil_val']:.4f}  {row['seconds']:.0f} s", flush=True)
    seconds = time.time() - t0

    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True)
    (args.out / 'vocab.json').write_text(json.dumps(vocab) + '\n')
    (args.out / 'training_log.json').write_text(json.dumps({'args': {k: str(v) for k, v in vars(args).items()},
                                                           'parameters': n_params, 'seconds': seconds, 'log': log}, indent=1) + '\n')
    last = log[-1]
    (args.out / 'README.md').write_text(f"""# {NAME}

A character-level language model with LLaMA's architecture (transformers `LlamaForCausalLM`),
pretrained by this project for chapter 8 of *LoRA from Scratch, live*. It is tiny on purpose:
it trains on two CPU cores in minutes and fine-tunes in a browser tab.

- **Architecture**: {config.num_hidden_layers} decoder layers, hidden size {config.hidden_size},
  {config.num_attention_heads} heads, MLP width {config.intermediate_size} (SiLU-gated), RMSNorm,
  rotary position embeddings (theta {config.rope_parameters['rope_theta']:g}), no biases, untied `lm_head`;
  context {args.context}; {n_params:,} parameters, float32.
- **Vocabulary**: {len(vocab)} characters (`vocab.json`, index = token id), every character of the
  pretraining and the adaptation corpus.
- **Corpus**: Jane Austen, *Pride and Prejudice* and *Sense and Sensibility* (public domain;
  Debian `r-cran-janeaustenr`), {len(train):,} characters; held out: the next {len(val):,}. See
  `public/corpora/LICENSE.md`.
- **Training**: `npm run pretrain` (scripts/lm/pretrain.py, seed {args.seed}): {args.steps} steps of
  AdamW (lr {args.lr:g}, betas 0.9/0.95, weight decay 0.1, warm-up then cosine), batch
  {args.batch} x {args.context} characters, gradient clipping 1.0, {args.threads} CPU threads,
  torch {torch.__version__}; {seconds / 60:.1f} minutes.
- **Losses** (nats per character, {args.eval_batches} batches of 32 x {args.context}): train {last['train']:.3f},
  Austen held-out {last['val']:.3f}, Devil's Dictionary held-out {last['devil_val']:.3f} (before
  any adaptation). The full log is in `training_log.json`.
- **Licence**: the weights are released under CC0 1.0; the training texts are public domain.

```python
from transformers import LlamaForCausalLM
model = LlamaForCausalLM.from_pretrained("public/models/{NAME}")
```
""")
    print(f'done in {seconds:.1f} s; wrote {args.out}', flush=True)


if __name__ == '__main__':
    main()
