"""Bring your own data: validated, all-or-nothing, traceable loads of CSV, XLSX and RDF files.

- :mod:`reasoner.ingest.formats`    sniffing (kind, encoding, delimiter) and streaming readers
- :mod:`reasoner.ingest.mapping`    the generic engine for the declarative ``data/mappings/*.yaml``
- :mod:`reasoner.ingest.validation` ``shapes/ingest/*.ttl`` compiled to fast checks
- :mod:`reasoner.ingest.loads`      prepare, commit, list, inspect, replace, delete, recover
- :mod:`reasoner.ingest.progress`   the progress bar of ``medsupply load``
"""
