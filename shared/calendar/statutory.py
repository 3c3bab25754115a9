"""The statutory public holidays of a year, computed from 全国年节及纪念日放假办法 (2024 revision).

Art. 2 fixes the days every citizen has off: 元旦 1 January; 春节 农历除夕 and 正月初一–初三;
清明 on the solar term's day; 劳动节 1–2 May; 端午 五月初五; 中秋 八月十五; 国庆 1–3 October.
Art. 6: a holiday of every citizen that falls on a Saturday or Sunday is made up (补假) on a
working day. The State Council's yearly notice adds the make-up working days (调休) on top,
which no rule can foresee: this is why a year without its notice is only provisional.
The lunar dates and the solar term come from `lunar-python` (6tail), not from a table of ours.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

# The range in which the lunar library's tables are exact and the 2024 rule may be projected.
FIRST_YEAR, LAST_YEAR = 1901, 2099


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The table of a lunar date in April holds that Gregorian year's 清明 (4 or 5 April).
    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


def festivals(year: int) -> list[tuple[str, list[date]]]:
    """Each festival of the year with its statutory days, in calendar order (no 补假)."""
    new_year = _solar(Lunar.fromYmd(year, 1, 1))
    # 除夕 is the eve of 正月初一, whether 腊月 has 29 or 30 days.
    spring = [new_year + timedelta(days=i) for i in range(-1, 3)]
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", spring),
        ("清明节", [_qingming(year)]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_solar(Lunar.fromYmd(year, 5, 5))]),
        ("中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]),
        ("国庆节", [date(year, 10, d) for d in (1, 2, 3)]),
    ]


@lru_cache(maxsize=256)
def _statutory(year: int) -> tuple[tuple[date, str], ...]:
    days: dict[date, str] = {}
    for name, festival in festivals(year):
        days.update({d: name for d in festival if d not in days})
    for name, festival in festivals(year):
        weekend = sum(1 for d in festival if d.weekday() >= 5)
        day = max(festival)
        while weekend:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in days:
                days[day] = f"{name}补假"
                weekend -= 1
    return tuple(sorted(days.items()))


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory days off of `year` with their names, 补假 included."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"statutory holidays are computed for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    return dict(_statutory(year))
