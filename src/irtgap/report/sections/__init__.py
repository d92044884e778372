"""One module per report section (see :mod:`irtgap.report.build`)."""
