"""Classifier benchmark: python -m experiments.benchmark [cohort.n=20000] [classifier=[dummy,logistic]] out=DIR

Multirun sweep (one output folder per job under one root):
    python -m experiments.benchmark -m cohort.n=2000,5000,20000 cohort.nights=7,28
"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.report.benchmark import leaderboard_markdown
from sim.runs.benchmark import benchmark


@hydra.main(config_path="../conf", config_name="benchmark", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        run = benchmark(cfg, out_path(cfg.out))
    print(leaderboard_markdown(run.result))
    print(f"benchmark: {run.result.run['seconds']:.1f} s; results in {run.out}")


if __name__ == "__main__":
    launch(main, "benchmark")
