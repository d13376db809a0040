"""``migrate``, signing in as the role that owns the tables when ``MIGRATE_DATABASE_URL`` is set.

Requests, Celery and every other command sign in with ``DATABASE_URL``, a role that may read and
write rows but not change the schema or the access log (apps/core/checks.py); only migrations
need the owner.
"""

import dj_database_url
from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections


class Command(migrate.Command):
    def execute(self, *args, **options):
        # Before the system checks, which connect too.
        url = getattr(settings, "MIGRATE_DATABASE_URL", "")
        if url and options.get("database", DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
            connection = connections[DEFAULT_DB_ALIAS]
            connection.close()
            connection.settings_dict.update(dj_database_url.parse(url))
        return super().execute(*args, **options)
