"""Obligations as dated, cited rules: "is this product compliant on date D, and why not".

The law is data (``shapes/*.ttl``: instruments, articles, obligations, dated rule versions, SHACL
shapes, exemptions). This package is generic code over it:

- :mod:`.model`     loads obligations, versions and exemptions from the shapes graph (meta-checked)
- :mod:`.versions`  which version applies on a date under a regime; the overlap check
- :mod:`.snapshot`  a product's facts as of a date, from the store or from request JSON
- :mod:`.evaluate`  three-valued SHACL Core evaluation (the fast path)
- :mod:`.reference` the same shapes run by pySHACL (the reference path)
- :mod:`.check`     :func:`check_product` / :func:`check_all`: statuses, verdict, receipt
- :mod:`.explain`   the result records users read
"""

from reasoner.rules.check import check_all, check_product

__all__ = ["check_product", "check_all"]
