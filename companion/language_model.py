# %% [markdown]
# # Chapter 8 — LoRA on a real language model, with transformers and PEFT
#
# Companion to the site's chapter "LoRA on a real language model" (and chapter 9, "LoRA in practice"): the same
# fine-tuning run the page trains in the browser, written as ordinary PyTorch code. A small
# character-level LLaMA (4 layers, width 128), pretrained on Jane Austen, gets LoRA adapters from
# PEFT and learns Ambrose Bierce's *The Devil's Dictionary*.
#
# It is the page's run, not just a similar one: the same initial adapter, the same batches, the
# same optimizer, so its losses equal the page's step by step to float32 round-off (about 1e-6
# relative). That works because the page draws its random numbers as this code does:
# `torch.manual_seed(seed)`, then `get_peft_model` (each adapted layer's `nn.Linear`
# constructors draw their default initialisation, then PEFT draws A again with
# `kaiming_uniform_` and sets B to zero), then one `torch.randint` per step for where the
# batch's windows start.
#
# It also trains chapter 10's variants ("Beyond plain LoRA"), each with PEFT's own mechanism:
# DoRA (`LoraConfig(use_dora=True)`), the gaussian and PiSSA initialisations
# (`init_lora_weights`), per-module ranks and α (`rank_pattern`, `alpha_pattern`), LoRA+
# (`peft.optimizers.create_loraplus_optimizer`: every B and every 1-D trainable, DoRA's
# magnitudes included, at the ratio times the learning rate) and QLoRA (the seven projection
# kinds' weights through 4-bit NF4 and back, as bitsandbytes computes it, written out in torch
# below). For those runs the page seeds the generator again after the adapter's initialisation,
# so the batches start from `torch.manual_seed(seed)` afresh; this code does the same. A PiSSA
# adapter is saved as PEFT converts it, a plain rank-2r LoRA for the original base; its factors
# may differ in sign from the page's (another SVD), their product and the losses do not.
#
# You need the base model's folder (`config.json`, `model.safetensors`, `vocab.json`, offered on
# chapter 8's page) and the two texts the page trains and measures on (the dictionary's training
# and held-out parts, also served by the site). Set their paths in the next cell.
#
# Checked with: torch 2.13.0 (CPU), transformers 5.18, peft 0.21, Python 3.11, against the page's
# engine at several settings, every step's loss (the project's test lm-companion.test.ts).

# %%
# ---- settings: the page's defaults; as a script, each is also a flag (--steps 100 --rank 4 …) ----
SETTINGS = {
    "steps": 300,  # optimizer steps
    "rank": 8,  # LoRA rank r
    "alpha": 16,  # α in the scaling s = α/r (or α/√r with rslora)
    "targets": "q_proj,v_proj",  # modules that get an adapter, comma-separated
    "lr": 3e-3,  # Adam's learning rate
    "seed": 0,  # torch.manual_seed(seed): the adapter's initialisation, then the batches
    "batch": 8,  # windows per step
    "rslora": False,  # s = α/√r (rsLoRA) instead of α/r
    # Chapter 10's variants, each with PEFT's own mechanism; any of them makes this a "variant run".
    "dora": False,  # DoRA: LoraConfig(use_dora=True), a trained magnitude per output row
    "init": "default",  # "default" (A Kaiming-uniform, B zero), "gaussian" or "pissa" (LoraConfig.init_lora_weights)
    "rank_pattern": None,  # per-module ranks, e.g. "q_proj=4,v_proj=8" (LoraConfig.rank_pattern), or None
    "alpha_pattern": None,  # per-module α, e.g. "down_proj=3" (LoraConfig.alpha_pattern), or None
    "loraplus_ratio": None,  # LoRA+: B's (and every 1-D trainable's) learning rate is this × lr, or None
    "qlora": False,  # QLoRA: the seven projection kinds' base weights through NF4 (4 bits) and back
}
MODEL_DIR = "austen-char-llama"  # the base model's folder
TRAIN_TEXT = "devil-train.txt"  # the text it learns
VAL_TEXT = "devil-val.txt"  # the held-out text its loss is measured on
OUT_DIR = None  # a folder for metrics.json and the adapter, or None to keep them in memory only
# ---- end of settings ----

# %%
import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from peft.optimizers import create_loraplus_optimizer
from transformers import AutoModelForCausalLM

IN_NOTEBOOK = "ipykernel" in sys.modules

# The module kinds of a LLaMA decoder layer that LoRA can adapt, as PEFT's target_modules names them.
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# The adapter initialisations, and what LoraConfig's init_lora_weights calls them.
LORA_INITS = {"default": True, "gaussian": "gaussian", "pissa": "pissa"}
# The held-out loss is measured on this many evenly spaced windows (what `npm run lm:finetune` uses).
VAL_WINDOWS = 32
# The page's caps on steps and batch.
MAX_STEPS, MAX_BATCH = 5000, 64
# The held-out loss is also measured every this many steps, for the loss curves (it draws no random numbers).
EVAL_EVERY = 50


def parse_settings(argv):
    """SETTINGS, overridden by command-line flags when this runs as a script."""
    p = argparse.ArgumentParser(description="Fine-tune the chapter-8 model with LoRA (PEFT), as the page does.")
    p.add_argument("--steps", type=float, default=SETTINGS["steps"])
    p.add_argument("--rank", type=float, default=SETTINGS["rank"])
    p.add_argument("--alpha", type=float, default=SETTINGS["alpha"])
    p.add_argument("--targets", default=SETTINGS["targets"], help="comma-separated, from " + ",".join(TARGET_MODULES))
    p.add_argument("--lr", type=float, default=SETTINGS["lr"])
    p.add_argument("--seed", type=float, default=SETTINGS["seed"])
    p.add_argument("--batch", type=float, default=SETTINGS["batch"])
    p.add_argument("--rslora", action="store_true", default=SETTINGS["rslora"])
    p.add_argument("--dora", action="store_true", default=SETTINGS["dora"])
    p.add_argument("--init", default=SETTINGS["init"], help="default, gaussian or pissa")
    p.add_argument("--rank-pattern", default=SETTINGS["rank_pattern"], help="per-module ranks, e.g. q_proj=4,v_proj=8")
    p.add_argument("--alpha-pattern", default=SETTINGS["alpha_pattern"], help="per-module alpha, e.g. down_proj=3")
    p.add_argument("--loraplus-ratio", type=float, default=SETTINGS["loraplus_ratio"], help="LoRA+: B's learning rate over A's")
    p.add_argument("--qlora", action="store_true", default=SETTINGS["qlora"])
    p.add_argument("--out", default=OUT_DIR, help="folder for metrics.json and the adapter (as PEFT saves it)")
    p.add_argument("--model", default=MODEL_DIR, help="the base model's folder")
    p.add_argument("--train-text", default=TRAIN_TEXT)
    p.add_argument("--val-text", default=VAL_TEXT)
    p.add_argument("--plot", action="store_true", help="save the loss curves as language_model.png")
    return p.parse_args(argv)


args = parse_settings([] if IN_NOTEBOOK else None)

# %% [markdown]
# ## Settings the model cannot take are refused, by name
#
# Each check says which setting is wrong and why, as the page's controls do; nothing is
# silently clamped.

# %%
def whole(v):
    """A whole number, whether written 8 or (as a flag) 8.0; not True/False."""
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def targets_of(text):
    targets = [t.strip() for t in str(text).split(",") if t.strip()]
    if not targets:
        raise ValueError(f"targets: choose at least one module to adapt ({', '.join(TARGET_MODULES)}).")
    unknown = [t for t in targets if t not in TARGET_MODULES]
    if unknown:
        raise ValueError(f"targets: unknown module {', '.join(repr(t) for t in unknown)}: choose from {', '.join(TARGET_MODULES)}.")
    if len(set(targets)) != len(targets):
        raise ValueError(f"targets: each module once, not {text!r}.")
    return targets


def parse_pattern(name, text):
    """'q_proj=4,layers\\.[2,3]\\..*v_proj=8' as {key: value}; a piece without '=' belongs to the key
    before it (a regular expression may hold a comma). None (not given) stays None."""
    if text is None:
        return None
    entries, pending = [], ""
    for piece in str(text).split(","):
        joined = f"{pending},{piece}" if pending else piece
        if "=" in joined:
            entries.append(joined)
            pending = ""
        else:
            pending = joined
    if pending.strip() or not entries:
        raise ValueError(f"{name}: write module=value pairs separated by commas (e.g. q_proj=4,v_proj=8), not {text!r}.")
    pattern = {}
    for e in entries:
        key, _, value = e.rpartition("=")
        key = key.strip()
        if not key:
            raise ValueError(f"{name}: {e!r} has no module name before '='.")
        try:
            re.compile(key)
            number = float(value)
        except re.error:
            raise ValueError(f"{name}: the key {key!r} is not a valid regular expression.") from None
        except ValueError:
            raise ValueError(f"{name}: the value for {key} must be a number, not {value.strip()!r}.") from None
        pattern[key] = number
    return pattern


def pattern_value(pattern, path, default):
    """A module's value from a pattern, as PEFT matches it (peft.utils.other.get_pattern_key): the first
    key that matches the end of the module's name at a dot boundary."""
    for key, value in (pattern or {}).items():
        if re.match(rf"(.*\.)?({key})$", path):
            return value
    return default


def module_paths(config, targets):
    """Every adapted module's name (model.layers.i.self_attn.q_proj …), layer by layer."""
    kind = {t: "mlp" if t in ("gate_proj", "up_proj", "down_proj") else "self_attn" for t in TARGET_MODULES}
    return [(f"model.layers.{i}.{kind[t]}.{t}", t) for i in range(config.num_hidden_layers) for t in targets]


def module_shape(config, name):
    """(out, in) of a module's weight."""
    d, ff = config.hidden_size, config.intermediate_size
    return {"gate_proj": (ff, d), "up_proj": (ff, d), "down_proj": (d, ff)}.get(name, (d, d))


def check_settings(s, config):
    """Raise ValueError naming the first setting the model cannot take."""
    if not (whole(s.steps) and 1 <= s.steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, not {s.steps}.")
    targets = targets_of(s.targets)
    if s.init not in LORA_INITS:
        raise ValueError(f"init must be one of {', '.join(LORA_INITS)}, not {s.init!r}.")
    s.rank_pattern = parse_pattern("rank-pattern", s.rank_pattern)
    s.alpha_pattern = parse_pattern("alpha-pattern", s.alpha_pattern)
    for key, v in (s.rank_pattern or {}).items():
        if not (whole(v) and v >= 1):
            raise ValueError(f"rank-pattern: the value for {key!r} must be a whole number ≥ 1, not {v:g}.")
    for key, v in (s.alpha_pattern or {}).items():
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"alpha-pattern: the value for {key!r} must be a finite number above 0, not {v:g}.")
    if not (isinstance(s.alpha, (int, float)) and math.isfinite(s.alpha) and s.alpha > 0):
        raise ValueError(f"alpha must be a finite number above 0, not {s.alpha}.")
    for path, t in module_paths(config, targets):
        out_f, in_f = module_shape(config, t)
        r = pattern_value(s.rank_pattern, path, s.rank)
        origin = "rank" if r is s.rank else f"rank of {path} (from rank-pattern)"
        if not (whole(r) and 1 <= r <= min(out_f, in_f)):
            raise ValueError(f"{origin} must be a whole number from 1 to {min(out_f, in_f)} (the width of {t}, {out_f} × {in_f}), not {r}.")
        # PEFT saves a trained PiSSA adapter for the original base as a rank-2r LoRA.
        if s.init == "pissa" and 2 * r > min(out_f, in_f):
            raise ValueError(f"rank: PiSSA saves a rank-2r adapter, so the rank of {path} must be at most {min(out_f, in_f) // 2}, not {r:g}.")
    if s.loraplus_ratio is not None and not (math.isfinite(s.loraplus_ratio) and s.loraplus_ratio > 0):
        raise ValueError(f"loraplus-ratio (LoRA+'s ratio of B's learning rate to A's) must be a finite number above 0, not {s.loraplus_ratio}.")
    if s.init == "pissa" and s.dora:
        raise ValueError("init: PiSSA with DoRA cannot be saved for the original base (PEFT's conversion keeps only lora_A and lora_B): choose one.")
    if s.init == "pissa" and s.qlora:
        raise ValueError("init: PiSSA with QLoRA is not supported here (PEFT initialises PiSSA on float weights, and the saved rank-2r adapter would not apply to the quantised base): choose one.")
    if s.init == "pissa" and s.rslora and (s.rank_pattern or s.alpha_pattern):
        raise ValueError("init: PEFT cannot convert a PiSSA adapter with rsLoRA and rank/alpha patterns together for the original base: drop one.")
    if not (isinstance(s.lr, (int, float)) and math.isfinite(s.lr) and s.lr > 0):
        raise ValueError(f"lr (the learning rate) must be a finite number above 0, not {s.lr}.")
    if not (whole(s.seed) and 0 <= s.seed < 2**32):
        raise ValueError(f"seed must be a whole number from 0 to 2³² − 1, not {s.seed}.")
    if not (whole(s.batch) and 1 <= s.batch <= MAX_BATCH):
        raise ValueError(f"batch must be a whole number from 1 to {MAX_BATCH}, not {s.batch}.")
    for name in ("steps", "rank", "seed", "batch"):
        setattr(s, name, int(getattr(s, name)))  # a flag's 8.0 is the whole number 8
    return targets


def read_tokens(path, vocab, what):
    """A text as token ids (one per character); a character outside the vocabulary is an error."""
    text = Path(path).read_text(encoding="utf-8")
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted({ch for ch in text if ch not in index})
    if unknown:
        raise ValueError(f"{what}: {path} has characters the model has never seen: {', '.join(map(repr, unknown))}.")
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


# NF4, QLoRA's 4-bit NormalFloat: bitsandbytes' 16 code values (QLoRA, appendix E), ascending.
NF4_CODE = torch.tensor([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=torch.float32)


def nf4_roundtrip(w, block=64):
    """A weight through bitsandbytes' quantize_4bit(quant_type="nf4", blocksize=64) and back
    (dequantize_4bit), as its pure-PyTorch backend computes them: the weight flattened row by row
    into blocks of 64 values (a shorter last block keeps its own absmax); in each block
    x̂ = clamp(x · (1/absmax), −1, 1) in float32, the code is the nearest of the 16 values (argmin
    takes the first minimum, so a tie goes to the lower code), and the value it stands for is
    code · absmax. What a 4-bit layer computes with; bitsandbytes itself needs a GPU build."""
    flat = w.detach().reshape(-1).to(torch.float32)
    n = flat.numel()
    # Zeros pad the last block to 64 values; they never raise its absmax, and are cut off again.
    blocks = torch.cat([flat, flat.new_zeros((-n) % block)]).view(-1, block)
    absmax = blocks.abs().max(dim=1, keepdim=True).values
    scaled = torch.clamp(blocks * (1 / absmax), -1, 1)
    code = torch.argmin(torch.abs(scaled.unsqueeze(-1) - NF4_CODE), dim=-1)
    out = (NF4_CODE[code] * absmax).reshape(-1)[:n]
    return out.reshape(w.shape)


# %% [markdown]
# ## The base model, the adapter, the data
#
# The base model is loaded first (and, for QLoRA, its projections quantised); `torch.manual_seed(seed)`
# comes after it, so what `get_peft_model` draws (and then the batches) depends only on the seed.

# %%
base = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
targets = check_settings(args, base.config)
vocab = json.loads((Path(args.model) / "vocab.json").read_text(encoding="utf-8"))
context = base.config.max_position_embeddings  # 64 characters per window
train_tokens = read_tokens(args.train_text, vocab, "train-text")
val_tokens = read_tokens(args.val_text, vocab, "val-text")
if len(train_tokens) < context + 2:
    raise ValueError(f"train-text must be longer than one window ({context + 1} characters).")
if len(val_tokens) < context + 1:
    raise ValueError(f"val-text must be at least one window long ({context + 1} characters).")


def batch_of(tokens, batch, context):
    """Random windows: inputs tokens[s : s+T] and next characters tokens[s+1 : s+T+1] for each start s."""
    starts = torch.randint(len(tokens) - context, (batch,))
    x = torch.stack([tokens[s : s + context] for s in starts])
    y = torch.stack([tokens[s + 1 : s + context + 1] for s in starts])
    return x, y


def held_out_windows(tokens, count, context):
    """`count` windows evenly spaced through the text, the first at its start and the last at its end."""
    span = len(tokens) - context - 1
    starts = [0] if count == 1 else [(b * span) // (count - 1) for b in range(count)]
    x = torch.stack([tokens[s : s + context] for s in starts])
    y = torch.stack([tokens[s + 1 : s + context + 1] for s in starts])
    return x, y


def loss_of(model, x, y):
    """Mean cross-entropy over every position of every window, in nats per character."""
    logits = model(input_ids=x).logits
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


val_x, val_y = held_out_windows(val_tokens, VAL_WINDOWS, context)

if args.qlora:
    # QLoRA's frozen base: every projection (all seven kinds, adapted or not) holds its NF4 round
    # trip; embeddings, norms and the head stay float32. Done before get_peft_model, so DoRA's
    # magnitude is the norm of the weight the layer really holds.
    with torch.no_grad():
        base_val_loss_float32 = loss_of(base.eval(), val_x, val_y).item()
        for name, p in base.named_parameters():
            if name.rsplit(".", 2)[-2] in TARGET_MODULES:
                p.copy_(nf4_roundtrip(p))
        base_val_loss = loss_of(base, val_x, val_y).item()
    print(f"held-out loss of the base: {base_val_loss_float32:.4f} in float32, {base_val_loss:.4f} through NF4")

# Any of chapter 10's flags makes this a variant run (the page's runs of that chapter).
variant = args.dora or args.init != "default" or args.rank_pattern is not None or args.alpha_pattern is not None or args.loraplus_ratio is not None or args.qlora
torch.manual_seed(args.seed)
config = LoraConfig(
    r=args.rank,
    lora_alpha=args.alpha,
    target_modules=targets,
    use_rslora=args.rslora,
    lora_dropout=0.0,
    use_dora=args.dora,
    init_lora_weights=LORA_INITS[args.init],
    rank_pattern={k: int(v) for k, v in (args.rank_pattern or {}).items()},
    alpha_pattern=dict(args.alpha_pattern or {}),
)
model = get_peft_model(base, config)
model.print_trainable_parameters()
if variant:
    # The page's variant runs restart the generator for the batches (init from the seed, then batches from the seed again).
    torch.manual_seed(args.seed)
pissa_initial = None
if args.init == "pissa":
    # PiSSA's starting adapter, kept so that the trained one can be saved for the original base.
    pissa_initial = tempfile.mkdtemp(prefix="pissa-initial-")
    model.save_pretrained(pissa_initial)


# Before training, the model with its starting adapter: the base model itself for LoRA (B = 0) and
# DoRA (m = ‖W‖), and for PiSSA the residual plus s·B₀A₀, which is W again; under QLoRA, the NF4 base.
model.eval()
with torch.no_grad():
    val_loss_before = loss_of(model, val_x, val_y).item()
print(f"held-out loss before training: {val_loss_before:.4f} nats/char")

# %% [markdown]
# ## Training
#
# Adam on the adapters' A and B only (the base is frozen by PEFT), one random batch per step;
# `train_losses[t]` is the loss of step t's batch before update t.

# %%
if args.loraplus_ratio is None:
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=args.lr)
else:
    # LoRA+: every B, and every 1-D trainable (DoRA's magnitudes), steps at ratio × lr; its weight
    # decay defaults to 0, so this is plain Adam with two learning rates.
    optimizer = create_loraplus_optimizer(model, optimizer_cls=torch.optim.Adam, lr=args.lr, loraplus_lr_ratio=args.loraplus_ratio)
train_losses = []
val_losses = [(0, val_loss_before)]  # (step, held-out loss) for the curves
for step in range(args.steps):
    model.train()
    x, y = batch_of(train_tokens, args.batch, context)
    loss = loss_of(model, x, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    train_losses.append(loss.item())
    if (step + 1) % EVAL_EVERY == 0 or step + 1 == args.steps:
        model.eval()
        with torch.no_grad():
            val_losses.append((step + 1, loss_of(model, val_x, val_y).item()))
        print(f"step {step + 1}/{args.steps}  loss {loss.item():.4f}  held-out {val_losses[-1][1]:.4f}")

val_loss_after = val_losses[-1][1]
print(f"held-out loss: {val_loss_before:.4f} → {val_loss_after:.4f} nats/char")

if args.out:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # adapter_config.json + adapter_model.safetensors; PiSSA's converted, as PEFT does, to a plain
    # rank-2r LoRA for the original base (the trained adapter minus the starting one).
    model.save_pretrained(out, path_initial_model_for_weight_conversion=pissa_initial)
    if pissa_initial:
        shutil.rmtree(pissa_initial)
    names = ("steps", "rank", "alpha", "lr", "seed", "batch", "rslora", "dora", "init", "rank_pattern", "alpha_pattern", "loraplus_ratio", "qlora")
    metrics = {
        "settings": {k: getattr(args, k) for k in names} | {"targets": targets},
        "train_losses": train_losses,
        "val_loss_before": val_loss_before,
        "val_loss_after": val_loss_after,
        "val_losses": val_losses,
        "val_windows": VAL_WINDOWS,
    }
    if args.qlora:
        metrics |= {"base_val_loss": base_val_loss, "base_val_loss_float32": base_val_loss_float32}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"wrote {out / 'metrics.json'} and the adapter")

# %%
# The loss curves. They are drawn when this runs as a notebook (Jupyter, Colab) and, saved as
# language_model.png, with `python language_model.py --plot`; a plain run prints text only.
if IN_NOTEBOOK or args.plot:
    import matplotlib

    if not IN_NOTEBOOK:
        matplotlib.use("Agg")  # no display needed: the figure goes to a file
    import matplotlib.pyplot as plt

    # The method in the title: LoRA, or the variant's pieces (e.g. "DoRA, PiSSA init, LoRA+ ×4, NF4 base").
    pieces = ["DoRA" if args.dora else "LoRA"] + ([f"{args.init} init"] if args.init != "default" else [])
    pieces += (["rsLoRA"] if args.rslora else []) + ([f"LoRA+ ×{args.loraplus_ratio:g}"] if args.loraplus_ratio is not None else [])
    pieces += (["rank pattern"] if args.rank_pattern else []) + (["alpha pattern"] if args.alpha_pattern else []) + (["NF4 base"] if args.qlora else [])
    run_name = ", ".join(pieces)
    fig, ax = plt.subplots(figsize=(10, 5))
    steps = range(1, len(train_losses) + 1)
    ax.plot(steps, train_losses, linewidth=1, alpha=0.4, label="training loss (each step's batch)")
    window = min(20, len(train_losses))
    smooth = [sum(train_losses[max(0, i - window + 1) : i + 1]) / len(train_losses[max(0, i - window + 1) : i + 1]) for i in range(len(train_losses))]
    ax.plot(steps, smooth, linewidth=2, label=f"training loss, mean of the last {window} steps")
    ax.plot(*zip(*val_losses), "o-", linewidth=2, label=f"held-out loss ({VAL_WINDOWS} windows)")
    ax.set(xlabel="step", ylabel="cross-entropy (nats per character)", title=f"{run_name}: r={args.rank} on {', '.join(targets)}")
    ax.legend()
    ax.grid(True, alpha=0.3)
    plt.tight_layout()
    if IN_NOTEBOOK:
        plt.show()
    else:
        fig.savefig("language_model.png", dpi=100)
        print("saved language_model.png")
