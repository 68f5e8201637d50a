"""The benchmark is run by ``make bench``, never collected by pytest (it takes minutes)."""

collect_ignore = ["bench.py"]
