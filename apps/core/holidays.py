"""The State Council's holiday calendar as the ``chinesecalendar`` package knows it."""

# Names the package gives, in the words people use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days(since_year=2020):
    """``(date, is_working_day, name)`` for every special day the package knows from
    ``since_year`` on: holidays on weekdays and weekends made working days (调休). Weekend days
    inside a holiday are left out: a weekend is off anyway."""
    import chinese_calendar

    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day.year >= since_year and day.weekday() < 5:
            rows.append((day, False, HOLIDAY_NAMES.get(name, name or "")))
    for day, name in chinese_calendar.workdays.items():
        if day.year >= since_year and day.weekday() >= 5:
            rows.append((day, True, HOLIDAY_NAMES.get(name, name or "") + "调休"))
    return sorted(rows)


def sync_package_days():
    """Add the package's days the database lacks (a day a county admin entered wins)."""
    from apps.core.models import SpecialDay

    created = SpecialDay.objects.bulk_create(
        [SpecialDay(date=d, is_working_day=w, name=n) for d, w, n in package_days()],
        ignore_conflicts=True,
    )
    return len(created)
