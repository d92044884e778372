"""The bottom layer: what every other layer shares.

Fixed dimension and column names (:mod:`~irtgap.core.dims`), errors and warnings
(:mod:`~irtgap.core.errors`), the checks of options (:mod:`~irtgap.core.options`), of dates
(:mod:`~irtgap.core.dates`), of the score table (:mod:`~irtgap.core.score_table`) and of
benchmark metadata (:mod:`~irtgap.core.benchmark_meta`; :mod:`~irtgap.core.validate`
re-exports them), the gap arithmetic and the one summary every result's gap goes through
(:mod:`~irtgap.core.gaps`), the measurement function that turns a capability into an expected
score (:mod:`~irtgap.core.measurement`), the fan-out of independent fits
(:mod:`~irtgap.core.parallel`) and the table codec of result files (:mod:`~irtgap.core.frames`).
It imports no other layer.
"""
