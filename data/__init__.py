"""medsupply's data: the committed default dataset and the build that makes it from the raw sources."""
