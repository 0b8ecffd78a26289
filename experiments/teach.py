"""A teaching dataset: python -m experiments.teach teaching=standard [cohort.n=800] out=DIR"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.teach import teach


@hydra.main(config_path="../conf", config_name="teach", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        result = teach(cfg, out_path(cfg.out))
    h = result.headline

    def f1(role: str) -> str:
        value = h[role]["macro_f1"]
        return "n/a" if value is None else f"{value:.3f}"

    print(
        f"wrote teaching set {result.preset} ({result.n_patients} patients, {result.nights} "
        f"nights) to {result.out} in {result.seconds:.1f} s; macro-F1: oracle {f1('oracle')}, "
        f"best model {f1('best_model')}, triage rules {f1('triage')}"
    )


if __name__ == "__main__":
    launch(main, "teach")
