from django.db import migrations

# The application connects as a role that is not the tables' owner (docker/postgres-init), and
# the owner's default privileges give it SELECT, INSERT, UPDATE and DELETE on every table the
# migrations create, this log included. Take back everything on the log but reading and adding
# rows from every role except the owner, whoever was granted it before this ran.


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_access_log_refuses_truncate"),
    ]

    operations = [
        migrations.RunSQL(
            sql="""
                DO $$
                DECLARE
                    role_name text;
                BEGIN
                    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES
                        ON core_accesslog FROM PUBLIC;
                    FOR role_name IN
                        SELECT DISTINCT acl.grantee::regrole::text
                        FROM pg_class AS c, aclexplode(c.relacl) AS acl
                        WHERE c.oid = 'core_accesslog'::regclass
                          AND acl.grantee <> 0
                          AND acl.grantee <> c.relowner
                    LOOP
                        EXECUTE format(
                            'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES'
                            ' ON core_accesslog FROM %s',
                            role_name
                        );
                    END LOOP;
                END
                $$;
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
