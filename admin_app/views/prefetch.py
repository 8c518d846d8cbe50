"""Foreign keys of a page of rows loaded in one query each (the list and the export both use it)."""


def attach_related(rows, fields):
    """Load each foreign key's records in one query and attach them, as prefetch would."""
    for field in fields:
        ids = {row.__data__.get(field.name) for row in rows} - {None}
        if not ids:
            continue
        related = {r._pk: r for r in field.rel_model.select().where(field.rel_field.in_(list(ids)))}
        for row in rows:
            target = related.get(row.__data__.get(field.name))
            if target is not None:
                row.__rel__[field.name] = target
