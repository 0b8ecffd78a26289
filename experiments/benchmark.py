"""Classifier benchmark: python -m experiments.benchmark [cohort.n=20000] [classifier=[dummy,logistic]] out=DIR

Multirun sweep (one output folder per job under one root):
    python -m experiments.benchmark -m cohort.n=2000,5000,20000 cohort.nights=7,28
"""

import hydra
from omegaconf import DictConfig

from sim.cli import check_out, launch, out_path, user_errors
from sim.evaluation.benchmark import leaderboard_markdown, run_benchmark, write_benchmark


@hydra.main(config_path="../conf", config_name="benchmark", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        out = check_out(out_path(cfg.out), overwrite=cfg.overwrite)
        result = run_benchmark(cfg)
        write_benchmark(result, out, config=cfg, overwrite=cfg.overwrite)
    print(leaderboard_markdown(result))
    print(f"benchmark: {result.run['seconds']:.1f} s; results in {out}")


if __name__ == "__main__":
    launch(main, "benchmark")
