"""All benchmarks (``make bench``): vectorised engine, scale-out (local pool and Dask), event
engine, classifier benchmark, difficulty measures, teaching presets, cost per counter-based
draw.

Figures are printed and written to benchmarks/results/*.json; docs/performance.md records
the figures of a run with the machine's core count.
"""

from __future__ import annotations

from benchmarks import classifier, difficulty, engine, events, rng, scale, teach


def main() -> None:
    engine.main()
    print()
    engine.main(population="presenting")
    print()
    scale.main()
    print()
    events.main()
    print()
    classifier.main()
    print()
    difficulty.main()
    print()
    teach.main()
    print()
    rng.main()


if __name__ == "__main__":
    main()
