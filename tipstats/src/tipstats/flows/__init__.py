"""Trafficking routes and corridors from case location records.

Aggregations run in an in-process DuckDB database; inputs and outputs are
pandas DataFrames (or plain dicts for charts).

Functions
---------
route_table
    Cases per origin -> transit -> destination route.
corridor_matrix
    Origin x destination table of cases (or shares).
sankey_data
    Nodes and links for a Sankey diagram (d3-sankey / Vega).
"""

from ._routes import corridor_matrix, route_table, sankey_data

__all__ = ["corridor_matrix", "route_table", "sankey_data"]
