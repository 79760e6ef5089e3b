"""Scale benchmarks of medsupply (not part of `make test`): see bench/README.md and bench/RESULTS.md."""
