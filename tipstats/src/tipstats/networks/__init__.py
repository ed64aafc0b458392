"""Offender networks with source triangulation.

Links between actors are reported by victims, migrant workers, NGOs and law
enforcement.  Each link is scored by how many *independent* types of source
corroborate it, and centrality is computed both raw and weighted by that
reliability.

Functions
---------
build_network
    networkx graph whose edges carry support by source type and reliability.
link_reliability
    The reliability formula on its own.
central_actors
    Degree, betweenness and eigenvector centrality, raw and weighted.
triangulation_table
    Links counted by the combination of sources that support them.
edge_table
    The links of a network as a DataFrame.
"""

from ._analysis import central_actors, triangulation_table
from ._build import (
    DEFAULT_RELIABILITIES,
    DEFAULT_SOURCE_GROUPS,
    build_network,
    edge_table,
    link_reliability,
)

__all__ = [
    "DEFAULT_RELIABILITIES",
    "DEFAULT_SOURCE_GROUPS",
    "build_network",
    "central_actors",
    "edge_table",
    "link_reliability",
    "triangulation_table",
]
