"""tipstats - statistical methods for anti-trafficking data, free of any web framework.

Subpackages: ``mse`` (multiple systems estimation), ``risk`` (case-control risk
factors), ``flows`` (routes), ``networks`` (offender networks), ``effects``
(interrupted time series, before/after), ``linkage`` and ``disclosure``. Each
works on plain pandas data frames and can be used on its own in a notebook.
"""

__version__ = "0.1.0"
