"""Generate a cohort: python -m experiments.generate cohort.n=5000 cohort.seed=7 out=DIR"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.generate import generate


@hydra.main(config_path="../conf", config_name="generate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        result = generate(cfg, out_path(cfg.out))
    resumed = f", {result.resumed_shards} resumed" if result.resumed_shards else ""
    print(
        f"wrote {result.n_patients} patients ({result.n_nights} patient-nights, "
        f"{result.shards} shards{resumed}) to {result.out} in {result.seconds:.1f} s: "
        f"{result.patient_nights_per_second:,.0f} patient-nights/s"
    )


if __name__ == "__main__":
    launch(main, "generate")
