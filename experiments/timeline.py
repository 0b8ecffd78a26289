"""One patient's nights as a PNG: python -m experiments.timeline patient_id=17 nights=7 out=DIR"""

import hydra
from omegaconf import DictConfig

from sim.cli import launch, out_path, user_errors
from sim.runs.timeline import write_timeline


@hydra.main(config_path="../conf", config_name="timeline", version_base="1.3")
def main(cfg: DictConfig) -> None:
    with user_errors():
        result = write_timeline(cfg, out_path(cfg.out))
    print(
        f"drew patient {result.patient_id}, {result.nights} nights: "
        f"{result.out}/timeline.png ({result.seconds:.1f} s)"
    )


if __name__ == "__main__":
    launch(main, "timeline")
