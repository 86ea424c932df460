"""CCE post-upgrade check for FunctionGraph: docs/design.md has the data path and the modules."""
