from django.db import migrations

# The row triggers of 0001 refuse UPDATE and DELETE, but TRUNCATE fires no row triggers: one
# statement (or a TRUNCATE … CASCADE of the users table) would empty the log. A statement
# trigger refuses it too.
#
# Django's `flush`, which pytest-django runs after every transactional test, empties all tables
# with one TRUNCATE. So the trigger lets a TRUNCATE through when the transaction has said so
# with `SET LOCAL federation.allow_truncate = on`; only the test suite's flush does
# (tests/conftest.py, allow_truncate_in_flush). The trade-off: any role allowed to TRUNCATE can say so too, so this
# guards against accidents (a stray flush or CASCADE, a mistyped statement by the table's owner
# or a superuser), not against them on purpose: the owner can drop the trigger anyway. What stops
# the application itself is that it connects as a role that is neither the owner nor a superuser
# and holds no TRUNCATE, UPDATE or DELETE on the table (0003, docker/postgres-init, and the
# deploy check in apps/core/checks.py). A role check instead (allow superusers) would leave the
# tests unable to show the trigger works, since they run as a superuser.


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_access_log"),
    ]

    operations = [
        migrations.RunSQL(
            sql="""
                CREATE FUNCTION core_accesslog_refuses_truncate() RETURNS trigger AS $$
                BEGIN
                    IF current_setting('federation.allow_truncate', true) = 'on' THEN
                        RETURN NULL;
                    END IF;
                    RAISE EXCEPTION 'core_accesslog is append-only';
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER core_accesslog_no_truncate
                    BEFORE TRUNCATE ON core_accesslog
                    FOR EACH STATEMENT EXECUTE FUNCTION core_accesslog_refuses_truncate();
            """,
            reverse_sql="""
                DROP TRIGGER core_accesslog_no_truncate ON core_accesslog;
                DROP FUNCTION core_accesslog_refuses_truncate();
            """,
        ),
    ]
