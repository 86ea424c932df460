"""CCE post-upgrade check for FunctionGraph: see README.md for the data path and module map."""
