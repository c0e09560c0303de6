"""An injectable clock: compliance code never calls `date.today()` itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def today(self) -> dt.date: ...


class SystemClock:
    def today(self) -> dt.date:
        return dt.date.today()


@dataclass(frozen=True)
class FixedClock:
    day: dt.date

    def today(self) -> dt.date:
        return self.day
