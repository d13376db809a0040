"""The roster import runs on a real Celery worker; the page polls its progress."""

import pytest

from apps.liaison import services
from apps.liaison.models import Representative, RosterImport
from tests.conftest import wait_for
from tests.liaison.test_roster import line, roster_file


@pytest.mark.worker
def test_roster_import_runs_on_a_worker_and_reports_progress(
    celery_worker, county, township_a_staff, client_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = roster_file([line(f"A{n:03d}", county.village_a1) for n in range(30)])
    roster = services.start_import(township_a_staff, county.township_a, upload)

    done = wait_for(
        lambda: RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.DONE).exists()
    )
    assert done
    assert Representative.objects.filter(unit=county.village_a1).count() == 30
    progress = (
        client_as(township_a_staff)
        .get(f"/liaison/representatives/import/{roster.pk}/", {"format": "json"})
        .json()
    )
    assert progress == {
        "status": "done",
        "status_display": "已导入",
        "percent": 100,
        "processed_rows": 30,
        "total_rows": 30,
        "finished": True,
    }
