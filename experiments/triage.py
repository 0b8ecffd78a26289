"""Triage rules against ground truth:
python -m experiments.triage triage=clinical_pathway cohort.n=20000 out=DIR
python -m experiments.triage 'triage=[clinical_pathway,symptoms_only]' out=DIR
python -m experiments.triage triage=file triage.path=my_rules.yaml out=DIR
"""

import hydra
from hydra.utils import get_original_cwd
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.triage import run_triage


@hydra.main(config_path="../conf", config_name="triage", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        run = run_triage(cfg, out_path(cfg.out), base_dir=get_original_cwd())
    for ev in run.evaluations:
        missed, urgent, rate = ev.urgent_under_triage()
        print(
            f"{ev.name}: accuracy {ev.accuracy():.3f}, urgent missed {missed}/{urgent} "
            f"({100 * rate:.1f}%)"
        )
    print(f"wrote {run.out} ({run.n_patients} patients, {run.seconds:.1f} s)")


if __name__ == "__main__":
    launch(main, "triage")
