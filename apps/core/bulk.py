"""COPY for the writes that insert tens of thousands of rows in one go (the nightly
assessment's results and breakdown lines, the bench's data sets): PostgreSQL reads one CSV
stream, with none of the per-row work an INSERT through the ORM costs."""

import gc
import io
import json
from contextlib import contextmanager

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models

NULL = r"\N"


@contextmanager
def collector_paused():
    """Python's cycle collector held off for a block (or a function, as a decorator) that
    builds hundreds of thousands of short-lived objects, such as a county's scoring lines:
    each of the collections they trigger walks every object the block holds, a fifth of a
    province's scoring time. Reference counting still frees them; cycles wait for the
    collector's next run after the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Values of these are written in Python's own spelling, which PostgreSQL reads and which holds
# no comma or quote; everything else is quoted.
PLAIN = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.BooleanField,
    models.DateField,
    models.TimeField,
)


def _quoted(value):
    return '"' + str(value).replace('"', '""') + '"'


def _array_item(value):
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _formatter(field):
    """The function writing ``field``'s values as CSV, chosen once per column."""
    if isinstance(field, ArrayField):
        return lambda value: _quoted("{" + ",".join(_array_item(item) for item in value) + "}")
    if isinstance(field, models.JSONField):
        return _json_writer(field)
    if isinstance(field, models.ForeignKey):
        return _formatter(field.target_field)
    if isinstance(field, PLAIN):
        return str
    return _quoted


EMPTY_JSON = {list: _quoted("[]"), dict: _quoted("{}")}


def _json_writer(field):
    """Writes a JSON column, each distinct object once: rows written together often share one
    (the assessment's lines of one source carry the same list of links)."""
    written = {}

    def write(value):
        # Most rows' veto reasons: an empty list, each row's own.
        if not value and type(value) in EMPTY_JSON:
            return EMPTY_JSON[type(value)]
        # Keyed by identity, with the value kept alive so that no other object takes its id.
        seen = written.get(id(value))
        if seen is None:
            text = _quoted(json.dumps(value, cls=field.encoder, ensure_ascii=False))
            written[id(value)] = seen = (value, text)
        return seen[1]

    return write


def _copy(cursor, table, columns, rows):
    formatters = [_formatter(field) for field in columns]
    # Lines built as lists and joined once: a quarter faster than a generator per line written
    # to a stream, for the million lines of a province's night.
    lines = [
        ",".join(
            [
                NULL if value is None else write(value)
                for write, value in zip(formatters, row, strict=True)
            ]
        )
        for row in rows
    ]
    stream = io.StringIO("\n".join(lines))
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    # The driver's own errors become Django's (IntegrityError, DataError …), as for any query.
    with connection.wrap_database_errors:
        cursor.copy_expert(
            f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", stream
        )
    return len(lines)


def copy_rows(model, fields, rows):
    """Insert ``rows`` (tuples in the order of ``fields``, model field names or, for a foreign
    key, its ``<name>_id``) into ``model``'s table in one COPY, inside the caller's
    transaction. Returns the number of rows. Defaults and ``auto_now`` are not applied: every
    column the table requires must be among ``fields``."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    with connection.cursor() as cursor:
        return _copy(cursor, connection.ops.quote_name(meta.db_table), columns, rows)


@contextmanager
def _staged(cursor, model, columns, rows):
    """A temporary table of ``model``'s ``columns`` (its fields) holding ``rows``, copied in;
    dropped when the block ends (and at COMMIT if the block fails)."""
    meta = model._meta
    quote = connection.ops.quote_name
    staging = quote(f"staging_{meta.db_table}")
    names = ", ".join(quote(field.column) for field in columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
        f"SELECT {names} FROM {quote(meta.db_table)} WITH NO DATA"
    )
    _copy(cursor, staging, columns, rows)
    yield staging, names
    cursor.execute(f"DROP TABLE {staging}")


def _columns(model, names):
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in names]


def _differs(table, other, columns, *, prefix):
    """SQL true where ``table``'s row and ``other``'s differ in one of ``columns`` (nothing
    without columns)."""
    if not columns:
        return ""
    mine = ", ".join(f"{table}.{column}" for column in columns)
    theirs = ", ".join(f"{other}.{column}" for column in columns)
    return f"{prefix}({mine}) IS DISTINCT FROM ({theirs})"


def upsert_rows(model, fields, rows, *, unique_fields, update_fields, changed=(), returning=()):
    """Insert ``rows`` (as for ``copy_rows``) into ``model``'s table, or where a row with the
    same ``unique_fields`` exists, rewrite its ``update_fields`` in place (keeping its id and
    what points at it): one COPY into a staging table, then one INSERT … ON CONFLICT. Must run
    inside a transaction. With ``changed``, an existing row is rewritten only where one of
    those fields differs (an unchanged row costs no new row version, no WAL). Returns the
    ``returning`` columns of every row written, as tuples, or without ``returning`` how many
    rows were written."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name) for name in fields]
    with connection.cursor() as cursor, _staged(cursor, model, columns, rows) as (staging, names):
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({', '.join(_columns(model, unique_fields))}) DO UPDATE SET "
            + ", ".join(
                f"{column} = EXCLUDED.{column}" for column in _columns(model, update_fields)
            )
            + _differs(table, "EXCLUDED", _columns(model, changed), prefix=" WHERE ")
            + (f" RETURNING {', '.join(_columns(model, returning))}" if returning else "")
        )
        return cursor.fetchall() if returning else cursor.rowcount


def update_rows(model, fields, rows, *, changed):
    """Rewrite ``fields`` of the rows whose primary keys lead ``rows`` (``(pk, *values)``),
    only where one of the ``changed`` fields differs: one COPY into a staging table, then one
    UPDATE … FROM it. Must run inside a transaction. Returns how many rows were rewritten."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    key = connection.ops.quote_name(meta.pk.column)
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    with connection.cursor() as cursor, _staged(cursor, model, columns, rows) as (staging, _names):
        cursor.execute(
            f"UPDATE {table} SET "
            + ", ".join(f"{column} = staged.{column}" for column in _columns(model, fields))
            + f" FROM {staging} AS staged WHERE {table}.{key} = staged.{key}"
            + _differs(table, "staged", _columns(model, changed), prefix=" AND ")
        )
        return cursor.rowcount


def copy_objects(model, objects):
    """Unsaved instances of ``model`` in one COPY, every column as ``save()`` would write it
    (defaults from the constructor, ``auto_now`` stamps). Their primary keys stay unset."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = ([field.pre_save(instance, True) for field in fields] for instance in objects)
    return copy_rows(model, [field.attname for field in fields], rows)
