"""The pipeline benchmark: ``make bench`` (see bench/README.md)."""
