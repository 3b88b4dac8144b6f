"""The risk tests' date: today in Norway, as the app reads it, taken when each test starts.

Not a module constant: one computed at import would be yesterday for the tests that run
after midnight, and `date.today()` is the machine's date, a day behind Norway's for an
hour or two every night on a machine that runs on UTC.
"""

from __future__ import annotations

from datetime import date

import pytest

from hms_tracker.web.dates import today as norway_today


@pytest.fixture
def today() -> date:
    return norway_today()
