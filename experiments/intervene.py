"""Interventions on paired arms:
python -m experiments.intervene intervention=stretching cohort.n=20000 out=DIR
python -m experiments.intervene 'intervention=[stretching,magnesium]' placebo_arm=true out=DIR
python -m experiments.intervene -m intervention=stretching,magnesium out=DIR   # a sweep:
    DIR/<overrides>/ per job and DIR/comparison.csv, comparison.md over them
"""

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.interventions.estimates import ALL
from sim.runs.intervene import intervene


@hydra.main(config_path="../conf", config_name="intervene", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    # A sweep's job writes into its own folder under the sweep's (conf/intervene.yaml).
    out = hc.runtime.output_dir if hc.mode == RunMode.MULTIRUN else cfg.out
    with user_errors():
        run = intervene(cfg, out_path(out))
    eff = run.trial.effects
    for item in run.trial.interventions:
        row = eff.filter(
            (eff["intervention"] == item.name)
            & (eff["comparison"] == "treated_vs_control")
            & (eff["group"] == ALL)
            & (eff["outcome"] == "symptomatic_nights")
        ).row(0, named=True)
        print(
            f"{item.name}: symptomatic nights {100 * row['effect']:+.1f} points "
            f"[{100 * row['ci_low']:+.1f}, {100 * row['ci_high']:+.1f}]"
        )
    print(f"wrote {run.out} ({run.trial.patients.height} patients, {run.seconds:.1f} s)")


if __name__ == "__main__":
    launch(main, "intervene")
