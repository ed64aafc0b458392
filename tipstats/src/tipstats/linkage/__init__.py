"""Privacy-preserving record linkage across scripts and borders.

Names in Thai, Khmer, Lao, Burmese, Chinese, Vietnamese or Latin script are
normalised to one romanised form, encoded with the date of birth and sex into
Bloom filters keyed by a secret the governments share (no plain value leaves
the country), and matched by Dice similarity with a probabilistic score.
:func:`romanise` (and :func:`is_zawgyi` / :func:`zawgyi_to_unicode` for
Burmese typed in the Zawgyi encoding) is the one romaniser MATIS uses, for
case search as for linkage.

>>> import pandas as pd
>>> from tipstats import linkage
>>> secret = b"shared-by-the-six-governments!!"
>>> enc = linkage.BloomEncoder(linkage.MATIS_SCHEMA, secret)
>>> kh = enc.encode(pd.DataFrame({"name": ["សុខា ចាន់"], "date_of_birth": ["1999-04-02"]}))
>>> th = enc.encode(pd.DataFrame({"name": ["Chan Sokha"], "date_of_birth": ["1999-02-04"]}))
>>> round(float(linkage.dice_pairs(kh, th, [0], [0])[0]), 2) > 0.7
True

See ``docs/methods/linkage.md`` for the methods and the benchmark figures.
"""

from ._assign import greedy_one_to_one
from ._backend import CandidatePairs, LinkageBackend, NumpyBackend
from ._blocking import MATIS_LSH_BLOCKING, BlockingRule, KeyBlocking, KeyTable, LSHBlocking
from ._calibrate import (
    ThresholdCalibration,
    calibrate_dice_threshold,
    dice_threshold_for_precision,
    labelled_linkage_set,
)
from ._encoding import BloomEncoder, Encodings, SchemaMismatchError
from ._evaluate import LinkageEvaluation, evaluate_linkage
from ._keys import derive_key, hkdf_sha256
from ._matcher import SCORE_METHODS, Matcher, link
from ._normalise import (
    NORMALISATION_VERSION,
    name_spellings,
    normalise_date,
    normalise_name,
    normalise_sex,
    normalise_text,
    phonetic_key,
)
from ._result import LinkageResult
from ._romanise import ZAWGYI_THRESHOLD, is_zawgyi, romanise, zawgyi_to_unicode
from ._schema import (
    FIELD_KINDS,
    HASHING_SCHEMES,
    MATIS_SCHEMA,
    MATIS_SCHEMA_V1,
    MATIS_SCHEMA_V2,
    MATIS_SPELLINGS,
    EncodingSchema,
    FieldSpec,
    Spelling,
)
from ._scoring import MatchScoreModel, fit_match_model
from ._similarity import dice_all_pairs, dice_coefficient, dice_pairs
from ._variants import romanisations

__all__ = [
    "FIELD_KINDS",
    "HASHING_SCHEMES",
    "MATIS_LSH_BLOCKING",
    "MATIS_SCHEMA",
    "MATIS_SCHEMA_V1",
    "MATIS_SCHEMA_V2",
    "MATIS_SPELLINGS",
    "NORMALISATION_VERSION",
    "SCORE_METHODS",
    "ZAWGYI_THRESHOLD",
    "BlockingRule",
    "BloomEncoder",
    "CandidatePairs",
    "EncodingSchema",
    "Encodings",
    "FieldSpec",
    "KeyBlocking",
    "KeyTable",
    "LSHBlocking",
    "LinkageBackend",
    "LinkageEvaluation",
    "LinkageResult",
    "MatchScoreModel",
    "Matcher",
    "NumpyBackend",
    "SchemaMismatchError",
    "Spelling",
    "ThresholdCalibration",
    "calibrate_dice_threshold",
    "derive_key",
    "dice_all_pairs",
    "dice_coefficient",
    "dice_pairs",
    "dice_threshold_for_precision",
    "evaluate_linkage",
    "fit_match_model",
    "greedy_one_to_one",
    "hkdf_sha256",
    "is_zawgyi",
    "labelled_linkage_set",
    "link",
    "name_spellings",
    "normalise_date",
    "normalise_name",
    "normalise_sex",
    "normalise_text",
    "phonetic_key",
    "romanisations",
    "romanise",
    "zawgyi_to_unicode",
]
