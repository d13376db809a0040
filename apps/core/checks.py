"""Deploy checks (``manage.py check --deploy``): the database role that serves requests must not
be able to rewrite the access log, so it is no superuser, does not own the log's table (an owner
can disable its triggers) and holds no UPDATE, DELETE or TRUNCATE on it. Migrations run as the
owner, through another URL (see docker-compose.yml and .env.example)."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connection

ROLE_QUERY = """
    SELECT
        current_user,
        r.rolsuper,
        COALESCE(pg_has_role(current_user, c.relowner, 'MEMBER'), false),
        COALESCE(
            has_table_privilege(current_user, c.oid, 'UPDATE')
            OR has_table_privilege(current_user, c.oid, 'DELETE')
            OR has_table_privilege(current_user, c.oid, 'TRUNCATE'),
            false
        )
    FROM pg_roles AS r
    LEFT JOIN pg_class AS c ON c.oid = to_regclass('core_accesslog')
    WHERE r.rolname = current_user
"""


def database_role_errors(conn=connection):
    """What is wrong with the role ``conn`` signs in as, for serving requests."""
    try:
        with conn.cursor() as cursor:
            cursor.execute(ROLE_QUERY)
            role, is_superuser, owns_log, may_change_log = cursor.fetchone()
    except DatabaseError as error:
        return [Error(f"Could not check the database role: {error}", id="core.E010")]
    hint = "Set DATABASE_URL to the application role; run migrations as the owner role."
    errors = []
    if is_superuser:
        errors.append(Error(f"The database role {role} is a superuser.", hint=hint, id="core.E011"))
    if owns_log:
        errors.append(
            Error(
                f"The database role {role} owns the access log (core_accesslog).",
                hint=hint,
                id="core.E012",
            )
        )
    if may_change_log:
        errors.append(
            Error(
                f"The database role {role} may update, delete or truncate the access log.",
                hint="REVOKE UPDATE, DELETE, TRUNCATE ON core_accesslog FROM that role.",
                id="core.E013",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_database_role(app_configs, **kwargs):
    return database_role_errors()
