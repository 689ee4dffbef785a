"""Model files: the ``[data]`` codebook and the lavaan-syntax model, parsed and validated."""

from cxsurvey.model.infer import infer_model
from cxsurvey.model.load import load_model, model_from_syntax
from cxsurvey.model.population import PopulationModel
from cxsurvey.model.population_table import population_from_model
from cxsurvey.model.spec import DataSpec, Formula, ModelSpec, SurveyModel

__all__ = [
    "DataSpec",
    "Formula",
    "ModelSpec",
    "PopulationModel",
    "SurveyModel",
    "infer_model",
    "load_model",
    "model_from_syntax",
    "population_from_model",
]
