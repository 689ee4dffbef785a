"""The ECSI model on mobi, 5,000 bootstrap resamples, with the seminr Python port.

Run with an interpreter that has ``pip install seminr``; bench_pls.py times it as a whole
process next to cxsurvey.
"""

import sys

import pandas as pd
from seminr import (
    bootstrap_model,
    composite,
    constructs,
    estimate_pls,
    multi_items,
    paths,
    relationships,
    single_item,
)

data = pd.read_csv(sys.argv[1])
nboot = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
mm = constructs(
    composite("Image", multi_items("IMAG", range(1, 6))),
    composite("Expectation", multi_items("CUEX", range(1, 4))),
    composite("Quality", multi_items("PERQ", range(1, 8))),
    composite("Value", multi_items("PERV", range(1, 3))),
    composite("Satisfaction", multi_items("CUSA", range(1, 4))),
    composite("Complaints", single_item("CUSCO")),
    composite("Loyalty", multi_items("CUSL", range(1, 4))),
)
sm = relationships(
    paths(from_="Image", to=["Expectation", "Satisfaction", "Loyalty"]),
    paths(from_="Expectation", to=["Quality", "Value", "Satisfaction"]),
    paths(from_="Quality", to=["Value", "Satisfaction"]),
    paths(from_="Value", to=["Satisfaction"]),
    paths(from_="Satisfaction", to=["Complaints", "Loyalty"]),
    paths(from_="Complaints", to=["Loyalty"]),
)
model = estimate_pls(data, mm, sm)
boot = bootstrap_model(model, nboot=nboot, seed=1)
print("seminr port: bootstrap done", nboot)
