"""A read replica for the dashboards (DATABASE_REPLICA_URL): only the reads a service marks go
there; writes, migrations and every other read stay on the primary."""

from types import SimpleNamespace

from federation import routers
from federation.settings import servers


def test_a_replica_url_adds_a_replica_whose_test_database_mirrors_the_primary():
    databases, _broker, _caches = servers.from_urls(
        "postgres://app@db:5432/federation",
        "redis://redis:6379/0",
        replica_url="postgres://reader@replica:5432/federation",
    )
    assert databases["replica"]["HOST"] == "replica"
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert "replica" not in servers.from_urls("postgres://app@db/f", "redis://r:6379/0")[0]


def test_only_marked_reads_go_to_a_configured_replica(monkeypatch):
    router = routers.ReplicaRouter()
    assert router.db_for_read(None) is None
    with routers.reading_from_replica():
        assert router.db_for_read(None) is None  # no replica configured: the primary
        with_replica = SimpleNamespace(DATABASES={"default": {}, "replica": {}})
        monkeypatch.setattr(routers, "settings", with_replica)
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) is None
    assert router.db_for_read(None) is None
    assert not router.allow_migrate("replica", "assessment")
    assert router.allow_migrate("default", "assessment")
