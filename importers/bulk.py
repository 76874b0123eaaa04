"""Inserting a batch of new rows: COPY on PostgreSQL, bulk_create() elsewhere.

Measured on imports of 8 KB articles, bulk_create() spent a third of the
importer's Python time compiling its INSERT (30 columns by 500 rows, each
8 KB body quoted into the statement). COPY sends the rows as they are and
PostgreSQL reads them with less work too.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def insert(objs, *, with_ids=False):
    """Insert these new instances of one model, like bulk_create() (no save(),
    no signals); with_ids, give them their primary keys, which are otherwise
    left unset."""
    if not objs:
        return objs
    model = type(objs[0])
    # The connection itself, not django.db.connection: every attribute read
    # through that proxy costs a thread-local lookup, a few per field and row.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_ids or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    # Errors come out as Django's (IntegrityError, DataError…), as from the ORM.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if with_ids:
            # Taken from the table's own sequence, as the INSERT would have.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(meta.db_table), meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(obj, True), connection)
                        for field in fields
                    ]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
