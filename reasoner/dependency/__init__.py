"""Dependency analysis: how concentrated the supply of each medicine is, which medicines are
vulnerable by the HERA criteria, what a disruption would do, and the reports for HERA submissions.

The domain lives in data: the SPARQL in ``queries/dependency/`` reads the graph, the dated and
cited criteria and the supply model in ``data/criteria/`` say what counts as essential, as an
undesirable dependency and as a required supply tier. The modules here are generic over both:

- :mod:`.facts`         runs the queries and holds what the graph says, as plain Python values
- :mod:`.criteria`      the criteria and supply model, from the store or ``data/criteria/``
- :mod:`.metrics`       suppliers, countries, HHI, top country, EU/EEA share per substance and tier
- :mod:`.supply_graph`  the networkx supply graph: cut vertices, minimal cuts, single points of failure
- :mod:`.vulnerability` the verdicts: essential and an undesirable dependency, criterion by criterion
- :mod:`.scenario`      disruption scenarios: supply lost / degraded, stock cover, when a product runs short
- :mod:`.report`        the report model with its receipt; renderers ``report_*.py`` turn it into files
"""
