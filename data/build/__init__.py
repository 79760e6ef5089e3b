"""Build the default dataset (``data/default/<graph>.ttl``) from the raw public sources.

Run ``python -m data.build`` from the project root. The raw folder is ``$MEDSUPPLY_RAW_DATA`` or
``../shared/data/raw`` next to the project. Same input gives byte-identical output: every graph is
written by :mod:`data.build.turtle`, which sorts everything, and nothing depends on the clock.
"""
