"""The demo job behind `make demo`: python -m experiments.demo out=reports/demo"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.demo import run_demo


@hydra.main(config_path="../conf", config_name="demo", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        result = run_demo(cfg, out_path(cfg.out))
    print(
        f"demo: {result.n_patients} patients in {result.seconds:.0f} s; "
        f"report at {result.out}/report/report.md ({len(result.sections)} sections)"
    )


if __name__ == "__main__":
    launch(main, "demo")
