"""MATIS - the Mekong Anti-Trafficking Information System."""

__version__ = "0.1.0"
