"""medsupply's engine: the graph store, reasoning, rule evaluation, dependency analysis and reports.

The package is generic over the domain: the ontology, the rules (SHACL shapes with their legal
basis), the named queries and the default dataset are data files beside it, found through
:mod:`reasoner.config`.
"""

__version__ = "0.1.0"
