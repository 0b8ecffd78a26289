"""Learning curves: python -m experiments.learning_curves [curves.sizes=[500,2000,20000]] out=DIR

From a benchmark multirun instead of the built-in grid:
    python -m experiments.learning_curves curves.from_dir=outputs/benchmark/<time>
"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.learning_curves import learning_curves_run


@hydra.main(config_path="../conf", config_name="learning_curves", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        out = out_path(cfg.out)
        from_dir = None if cfg.curves.from_dir is None else out_path(cfg.curves.from_dir)
        curves = learning_curves_run(cfg, out, from_dir=from_dir)
    print(f"learning curves: {curves.height} rows; report at {out}/report/report.md")


if __name__ == "__main__":
    launch(main, "learning_curves")
