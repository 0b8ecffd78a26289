"""Learning curves: python -m experiments.learning_curves [curves.sizes=[500,2000,20000]] out=DIR

From a benchmark multirun instead of the built-in grid:
    python -m experiments.learning_curves curves.from_dir=outputs/benchmark/<time>
"""

import hydra
from omegaconf import DictConfig, OmegaConf

from sim.cli import launch, out_path, user_errors
from sim.evaluation.curves import collect_runs, learning_curves, write_curves


@hydra.main(config_path="../conf", config_name="learning_curves", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        out = out_path(cfg.out)
        if cfg.curves.from_dir is not None:
            curves = collect_runs(out_path(cfg.curves.from_dir))
        else:
            curves = learning_curves(cfg)
        write_curves(curves, out, config_yaml=OmegaConf.to_yaml(cfg, resolve=True))
    print(f"learning curves: {curves.height} rows; report at {out}/report/report.md")


if __name__ == "__main__":
    launch(main, "learning_curves")
