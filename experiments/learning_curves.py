"""Learning curves: python -m experiments.learning_curves [curves.sizes=[500,2000,20000]] out=DIR

From a benchmark multirun instead of the built-in grid:
    python -m experiments.learning_curves curves.from_dir=outputs/benchmark/<time>
"""

import hydra
from omegaconf import DictConfig

from sim.cli import check_out, launch, out_path, user_errors
from sim.evaluation.curves import collect_runs, learning_curves, write_curves


@hydra.main(config_path="../conf", config_name="learning_curves", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        out = out_path(cfg.out)
        inputs = []
        if cfg.curves.from_dir is not None:
            inputs.append(out_path(cfg.curves.from_dir))
            check_out(
                out, overwrite=cfg.overwrite, inputs=inputs
            )  # before the work, not only when writing
            curves = collect_runs(inputs[0])
        else:
            check_out(out, overwrite=cfg.overwrite)
            curves = learning_curves(cfg)
        write_curves(curves, out, config=cfg, overwrite=cfg.overwrite, inputs=inputs)
    print(f"learning curves: {curves.height} rows; report at {out}/report/report.md")


if __name__ == "__main__":
    launch(main, "learning_curves")
