"""One settings profile for every fuzz property.

In ``make test`` each property runs a few examples (the whole of tests/fuzz stays well under a minute on two cores);
``benchmarks/fuzz_run.py`` sets GONGKAI_FUZZ_EXAMPLES (e.g. 100000) and runs the very same properties at length.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "GONGKAI_FUZZ_EXAMPLES"


def examples(default: int) -> int:
    """The number of inputs a property gets: ``default`` in the suite, GONGKAI_FUZZ_EXAMPLES when set."""
    raw = os.environ.get(ENV, "").strip()
    return int(raw) if raw else default


def fuzz(default: int) -> settings:
    long_run = bool(os.environ.get(ENV, "").strip())
    return settings(
        max_examples=examples(default),
        deadline=None,
        # A long run must not stop early: it asks for N inputs and reports how many ran.
        suppress_health_check=list(HealthCheck),
        # The suite stays reproducible and leaves no example database behind; a long run may explore freely.
        derandomize=not long_run,
        database=None,
        print_blob=True,
    )
