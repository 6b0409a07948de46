"""manage.py train_checkworthiness [--output DIR] [--check-only]

Train the check-worthiness model on ClaimBuster and print the figures in its model card: the
model's and the baseline's check-worthy F1 and average precision on the held-out validation
split, the margin, and the seed-article check. Deterministic (fixed seeds), so the card's
figures reproduce exactly. Needs no database or broker; about a minute on two cores.

--output DIR   write checkworthiness.json there instead of into the package.
--check-only   do not train: score the model already in --output (default: the shipped one)
               against a freshly trained baseline on the same split, and run the seed check.
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
            help="Folder for checkworthiness.json (default: the package's model folder).",
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Score the existing model instead of training a new one.",
        )
        parser.add_argument(
            "--data",
            type=Path,
            default=training.CLAIMBUSTER_PATH,
            help="ClaimBuster train.jsonl.",
        )

    def handle(self, *args, output: Path, check_only: bool, data: Path, **options):
        if not data.exists():
            raise CommandError(f"ClaimBuster data not found at {data}; pass --data PATH.")
        if check_only:
            model_path = output / checkworthiness.MODEL_PATH.name
            if not model_path.exists():
                raise CommandError(f"No model at {model_path}; train one first.")
            report = training.evaluate_shipped(checkworthiness.load_model(model_path), data)
        else:
            report = training.train_and_evaluate(data, log=self.stdout.write)
            path = training.write_model(report.document, output)
            size_kb = path.stat().st_size / 1024
            self.stdout.write(f"wrote {path} ({size_kb:.0f} KiB)")
        for line in report.lines():
            self.stdout.write(line)
