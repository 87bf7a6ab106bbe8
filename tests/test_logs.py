"""Log formatting and rate limiting."""

from __future__ import annotations

import logging

from servicelist.logs import KeyValueFormatter, RateLimit


def test_formatter_appends_extra_fields() -> None:
    record = logging.LogRecord("servicelist", logging.INFO, "x.py", 1, "loaded", None, None)
    record.items = 2296
    record.origin = "bundled lists"

    line = KeyValueFormatter("%(message)s").format(record)

    assert line == "loaded items=2296 origin='bundled lists'"


def test_rate_limit_counts_suppressed() -> None:
    limit = RateLimit(interval=3600)

    assert limit.allow("not-found") == (True, 0)
    assert limit.allow("not-found") == (False, 0)
    assert limit.allow("not-found") == (False, 0)
    assert limit.allow("invalid-cursor") == (True, 0)


def test_rate_limit_reports_suppressed_after_interval() -> None:
    limit = RateLimit(interval=0)

    assert limit.allow("not-found") == (True, 0)
    assert limit.allow("not-found") == (True, 0)
