"""The installable shell of the village phone: the manifest, the service worker served from the
site root, the offline page, and signing out that empties the phone."""

import json

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_the_manifest_opens_her_to_do_list_full_screen(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "妇联工作管理平台"
    assert (manifest["start_url"], manifest["display"]) == ("/liaison/", "standalone")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_root_with_what_it_keeps(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = b"".join(response.streaming_content) if response.streaming else response.content
    line = next(row for row in script.decode().splitlines() if row.startswith("const SHELL ="))
    shell = json.loads(line.removeprefix("const SHELL =").rstrip(";"))
    assert static("css/app.css") in shell["assets"]
    assert shell["pages"] == ["/", "/liaison/", "/liaison/households/", "/liaison/visits/new/"]
    # Never a page whose every opening is access-logged: a case's or a household's own page.
    assert not any(
        page.startswith(("/liaison/cases/", "/liaison/households/1")) for page in shell["pages"]
    )
    assert len(shell["version"]) == 12


def test_the_offline_page_needs_no_session(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "没有信号" in response.content.decode()


def test_only_a_village_representative_gets_the_phone_queue(
    client_as, village_a1_rep, township_a_staff
):
    page = client_as(village_a1_rep).get("/offline/").content.decode()
    assert 'id="offline-strings"' in page and 'data-testid="offline-queue"' in page
    assert 'rel="manifest"' in page
    page = client_as(township_a_staff).get("/offline/").content.decode()
    assert 'id="offline-strings"' not in page


def test_signing_out_empties_the_phone(client_as, village_a1_rep):
    response = client_as(village_a1_rep).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
