"""Figures drawn from tables (matplotlib).

Each function takes ``ax`` (keyword) and returns the Axes. This layer sits below the results and
the methods and never imports one: a result's ``plot_*`` methods pass it their tables.
"""
