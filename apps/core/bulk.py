"""COPY for the writes that insert tens of thousands of rows in one go (the nightly
assessment's breakdown lines, the bench's data sets): PostgreSQL reads one CSV stream, with
none of the per-row work an INSERT through the ORM costs."""

import io
import json

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models


def _array_item(value):
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _csv(field, value):
    if value is None:
        return r"\N"
    if isinstance(field, ArrayField):
        text = "{" + ",".join(_array_item(item) for item in value) + "}"
    elif isinstance(field, models.JSONField):
        text = json.dumps(value, cls=field.encoder, ensure_ascii=False)
    else:
        # Numbers, text, booleans and dates in Python's own spelling, which PostgreSQL reads.
        text = str(value)
    return '"' + text.replace('"', '""') + '"'


def copy_rows(model, fields, rows):
    """Insert ``rows`` (tuples in the order of ``fields``, model field names or, for a foreign
    key, its ``<name>_id``) into ``model``'s table in one COPY, inside the caller's
    transaction. Returns the number of rows. Defaults and ``auto_now`` are not applied: every
    column the table requires must be among ``fields``."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    stream = io.StringIO()
    count = 0
    for row in rows:
        stream.write(
            ",".join(_csv(field, value) for field, value in zip(columns, row, strict=True))
        )
        stream.write("\n")
        count += 1
    stream.seek(0)
    names = ", ".join(f'"{field.column}"' for field in columns)
    # The driver's own errors become Django's (IntegrityError, DataError …), as for any query.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(
            f"COPY \"{meta.db_table}\" ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", stream
        )
    return count


def copy_objects(model, objects):
    """Unsaved instances of ``model`` in one COPY, every column as ``save()`` would write it
    (defaults from the constructor, ``auto_now`` stamps). Their primary keys stay unset."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = ([field.pre_save(instance, True) for field in fields] for instance in objects)
    return copy_rows(model, [field.attname for field in fields], rows)
