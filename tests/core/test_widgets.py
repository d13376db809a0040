"""The browser's date pickers read only ISO values: a Chinese page must not render 2026/12/31."""

from datetime import date, datetime

from django.utils import translation

from apps.core.widgets import DateInput, DateTimeInput


def test_date_pickers_render_iso_values_in_every_language():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert 'value="2026-12-31"' in DateInput().render("due", date(2026, 12, 31))
            moment = DateTimeInput().render("at", datetime(2026, 12, 31, 9, 30))
            assert 'type="datetime-local"' in moment and 'value="2026-12-31T09:30"' in moment
