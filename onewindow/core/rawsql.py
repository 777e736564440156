"""Hand-written SQL for the hot paths, with Django's own conversions.

Window intake (issue 4) answers two API requests per case, hundreds a second. Through the
ORM most of their time went into composing queries and building model instances, not
into the database: a ``Case.objects.get(pk=…)`` cost ~0.8 ms where its SELECT costs 0.1.
The few statements of those paths are written here by hand, once per process, from the
models' metadata (table and column names, field order), and their rows converted by the
same converters and ``get_db_prep_save`` the ORM uses, so what is written and read back
is exactly what the ORM would write and read. Everything else keeps the ORM.

- :func:`select_list` / :class:`Rows`: a SELECT of several models joined (the columns of
  each, in field order) and the instances built from each row, related ones attached as
  ``select_related`` would attach them;
- :func:`insert`: INSERT of new instances (``pre_save`` applied: ``auto_now``, defaults),
  primary keys read back with ``RETURNING``;
- :func:`update`: UPDATE of chosen columns of one instance, optionally only where another
  column still has a given value (an optimistic version);
- :func:`prepare_insert` / :func:`prepare_update`: the same worked out ahead and run
  later (:class:`Prepared`), so that the write transaction only runs the statements;
- :func:`new`: new instances of the models written here without ``Model.__init__``;
- :func:`cursor`: the driver's own cursor for these statements (:class:`LeanCursor`),
  Django's when the connection logs its queries.

No signals are sent (the ORM's ``pre_save``/``post_save``): the models written here have
no receivers, and the services write their events and audit rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.models import Model, signals
from django.db.models.base import ModelState


@lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    """SQLite's "?" placeholders for "%s" (as Django's SQLite cursor converts them)."""
    return sqlite_base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class LeanCursor:
    """The database driver's own cursor on Django's connection, for the hand-written
    statements: through Django's cursor each statement paid ~30-40 µs of wrapping (the
    thread check, the execute wrappers, the error wrapper, the debug log) where SQLite
    runs an INSERT in ~25; intake runs two dozen statements per case. What stays of
    Django's cursor: its errors (IntegrityError and the rest, through the connection's
    error wrapper), the refusal to run in a transaction that must be rolled back, no
    parameters at all when none are given, and on SQLite "%s" becoming "?" (cached per
    statement text). Tools that watch Django's cursor class (query logging, monitoring)
    do not see these statements; `cursor` hands out Django's cursor whenever the
    connection logs its queries."""

    __slots__ = ("_conn", "_cursor", "_errors", "_qmark")

    def __init__(self, conn):
        self._conn = conn
        self._errors = conn.wrap_database_errors
        with self._errors:
            self._cursor = conn.connection.cursor()
        self._qmark = _qmark if conn.vendor == "sqlite" else None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self._cursor.close()
        except self._conn.Database.Error:
            pass  # as Django's cursor: closing must not hide what happened

    def execute(self, sql: str, params=None):
        self._conn.validate_no_broken_transaction()
        with self._errors:
            if params is None:
                self._cursor.execute(sql)
            else:
                self._cursor.execute(self._qmark(sql) if self._qmark else sql, params)
        return self

    def executemany(self, sql: str, param_list):
        self._conn.validate_no_broken_transaction()
        with self._errors:
            self._cursor.executemany(self._qmark(sql) if self._qmark else sql, param_list)
        return self

    def fetchone(self):
        with self._errors:
            return self._cursor.fetchone()

    def fetchall(self):
        with self._errors:
            return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


def cursor(conn=None):
    """A cursor for hand-written statements (``with rawsql.cursor() as c: …``): a
    `LeanCursor`, or Django's own cursor when something watches the queries (DEBUG, the
    tests' query counts, execute wrappers), when the connection is not open yet or when
    it checks its health before use (``CONN_HEALTH_CHECKS``)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    if (
        conn.connection is None
        or conn.queries_logged
        or conn.execute_wrappers
        or conn.health_check_enabled
    ):
        return conn.cursor()
    return LeanCursor(conn)


def attnames(model: type[Model], names: Iterable[str] | None = None) -> tuple[str, ...]:
    """Column attribute names of ``model`` in field order (all, or those in ``names``)."""
    return _attnames(model, None if names is None else tuple(names))


@cache
def _attnames(model: type[Model], names: tuple[str, ...] | None) -> tuple[str, ...]:
    wanted = None if names is None else set(names)
    return tuple(
        f.attname
        for f in model._meta.concrete_fields
        if wanted is None or f.attname in wanted or f.name in wanted
    )


def select_list(model: type[Model], alias: str, names: Sequence[str] | None = None) -> str:
    """``alias.col, alias.col …`` for the columns of ``model`` (``names``: attnames)."""
    names = attnames(model) if names is None else names
    qn = connection.ops.quote_name
    return ", ".join(f"{alias}.{qn(_field_by_attname(model, n).column)}" for n in names)


def _field_by_attname(model: type[Model], attname: str):
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f
    raise LookupError(attname)


@cache
def _converters(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple:
    """(position, converters, column) of the columns the ORM converts when it reads them
    (on SQLite: dates, times, decimals, JSON; most columns need nothing)."""
    out = []
    for i, name in enumerate(names):
        field = _field_by_attname(model, name)
        col = field.get_col(model._meta.db_table)
        convs = (*connection.ops.get_db_converters(col), *field.get_db_converters(connection))
        if convs:
            out.append((i, convs, col))
    return tuple(out)


def build(model: type[Model], names: tuple[str, ...], values: Sequence) -> Model:
    """An instance from the raw values of ``names`` (in field order), converted.

    What ``Model.from_db`` gives (the columns not read left deferred), without running
    ``Model.__init__`` over every field of the model (~15 µs an instance; the intake
    builds a dozen per case): the values go into the instance's ``__dict__``, where the
    ORM keeps them. Models with their own ``from_db`` or ``__init__``, or any receiver of
    the init signals, get ``from_db`` itself."""
    conn = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    values = list(values)
    for i, convs, col in _converters(model, names, conn.vendor):
        value = values[i]
        for conv in convs:
            value = conv(value, col, conn)
        values[i] = value
    if not _plain_class(model) or signals.pre_init.receivers or signals.post_init.receivers:
        return model.from_db(conn.alias, names, values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding = False
    state.db = conn.alias
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def new(model: type[Model], /, **values) -> Model:
    """A new (unsaved) instance, as ``model(**values)`` gives it, for the hot paths that
    make a dozen rows per request (~15 µs an instance through ``Model.__init__``): the
    fields' defaults (the constant ones worked out once per model) and the values go into
    the instance's ``__dict__``; a related object given by the field's name goes through
    its descriptor, as in ``__init__``. Models that `build` leaves to the ORM, fields with
    a database default and receivers of the init signals get ``model(**values)``."""
    plan = _new_plan(model)
    if plan is None or signals.pre_init.receivers or signals.post_init.receivers:
        return model(**values)
    constants, callables, relations, attnames_ = plan
    obj = model.__new__(model)
    obj._state = ModelState()
    fields = obj.__dict__
    fields.update(constants)
    for attname, name, default in callables:
        if attname not in values and name not in values:
            fields[attname] = default()
    for key, value in values.items():
        if key in relations:
            setattr(obj, key, value)
        elif key in attnames_:
            fields[key] = value
        elif isinstance(getattr(model, key, None), property):
            setattr(obj, key, value)
        else:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: '{key}'")
    return obj


@cache
def _new_plan(model: type[Model]):
    """(constant defaults by attname, (attname, name, callable default) of the others,
    names of the relations, attnames), or None when `new` must use the model itself."""
    meta = model._meta
    fields = meta.concrete_fields
    if (
        not _plain_class(model)
        or tuple(meta.fields) != tuple(fields)  # composite keys, foreign objects
        or any(f.has_db_default() or getattr(f, "generated", False) for f in fields)
    ):
        return None
    constants, callables = {}, []
    for f in fields:
        if f.has_default() and callable(f.default):
            # The field's own get_default (a foreign key's gives the key of an instance).
            callables.append((f.attname, f.name, f.get_default))
        else:
            constants[f.attname] = f.get_default()
    relations = frozenset(f.name for f in fields if f.is_relation)
    return constants, tuple(callables), relations, frozenset(f.attname for f in fields)


@cache
def _plain_class(model: type[Model]) -> bool:
    """Whether the model builds its instances as Model does (see `build`; receivers of
    the init signals, which may be connected at any time, are checked on every call)."""
    return model.from_db.__func__ is Model.from_db.__func__ and model.__init__ is Model.__init__


class Rows:
    """The instances of several models read side by side in one row.

    ``parts``: (model, attnames) in the order their columns appear in the SELECT. The
    first is the main instance; `attach` then sets a related one as ``select_related``
    would (so reading the relation costs no query).
    """

    def __init__(self, *parts: tuple[type[Model], tuple[str, ...]]):
        self.parts = parts

    def split(self, row: Sequence) -> list[Model | None]:
        out, start = [], 0
        for model, names in self.parts:
            values = row[start : start + len(names)]
            start += len(names)
            # A LEFT JOIN that found nothing: every column is NULL, the pk first.
            out.append(None if values[0] is None else build(model, names, values))
        return out


def attach(instance: Model, field_name: str, related: Model | None) -> None:
    """Set the related object of a foreign key as loaded (``None`` when there is none)."""
    instance._meta.get_field(field_name).set_cached_value(instance, related)


@cache
def _insert_sql(model: type[Model], vendor: str, returning: bool) -> tuple[str, tuple]:
    meta = model._meta
    qn = connection.ops.quote_name
    fields = tuple(f for f in meta.local_concrete_fields if not (f.primary_key and f.auto_created))
    cols = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({marks})"
    if returning:
        sql += f" RETURNING {qn(meta.pk.column)}"
    return sql, _plan(fields)


def insert(objs: Sequence[Model], *, returning: bool = True) -> None:
    """INSERT new instances of one model (one statement each; ``returning``: read the
    primary keys back into them). Fields get their ``pre_save`` value first (``auto_now``,
    ``auto_now_add``), then the database form ``get_db_prep_save`` gives them."""
    if objs:
        prepare_insert(objs, returning=returning).run()


class Prepared:
    """A write whose parameters were worked out ahead, to be run later: inside the write
    transaction, which on SQLite holds the database's single write lock for every other
    writer, the statement only runs (window intake: converting the values of its dozen
    rows took about a third of the time the lock was held).

    Columns whose values can only be known in the transaction are filled in when it runs
    (``late``): the foreign key to a row that is written first in the same transaction
    (its key comes back from its INSERT), the ``auto_now`` times, and the columns the
    caller names (a case number, an event's sequence number, taken in the transaction)."""

    __slots__ = ("objs", "sql", "plan", "params", "late", "keys", "returning", "add", "conn")

    def __init__(self, objs, sql, plan, params, late, returning, add, conn):
        self.objs, self.sql, self.plan, self.params = objs, sql, plan, params
        self.late, self.keys = late
        self.returning, self.add, self.conn = returning, add, conn

    def run(self) -> int:
        """Run the statement(s): the number of rows written."""
        conn, plan, add, keys = self.conn, self.plan, self.add, self.keys
        if self.late:
            for obj, params in zip(self.objs, self.params, strict=True):
                for field in keys:
                    _fix_key(obj, field)
                for i in self.late:
                    params[i] = _param(obj, plan[i], conn, add)
        with cursor(conn) as c:
            if not add:  # an UPDATE of one row
                c.execute(self.sql, self.params[0])
                return c.rowcount
            if not self.returning:
                c.executemany(self.sql, self.params)
            else:
                for obj, params in zip(self.objs, self.params, strict=True):
                    c.execute(self.sql, params)
                    obj.pk = c.fetchone()[0]
        for obj in self.objs:
            obj._state.adding = False
            obj._state.db = conn.alias
        return len(self.objs)


def _late(objs: Sequence[Model], plan: tuple, late: Iterable[str]) -> tuple[tuple, tuple]:
    """(positions in ``plan`` filled in when the statement runs, foreign keys whose
    related object gives its key then): the named attnames, the ``auto_now`` fields, and
    foreign keys to objects not saved yet (the keys of the others are taken now, as
    `fix_keys` takes them)."""
    names = set(late)
    if names - _attnames_of(plan):
        raise ValueError(f"not columns of this statement: {sorted(names - _attnames_of(plan))}")
    keys = {}
    for obj in objs:
        for field in _unsaved(obj):
            keys[field.attname] = field
    names.update(keys)
    return _slots(plan, names), tuple(keys.values())


def _slots(plan: tuple, names) -> tuple[int, ...]:
    """Positions in ``plan`` of the ``auto_now`` fields and of the attnames ``names``."""
    return tuple(i for i, (_f, attname, _p, auto) in enumerate(plan) if auto or attname in names)


_PLAN_ATTNAMES: dict[int, frozenset] = {}


def _attnames_of(plan: tuple) -> frozenset:
    """The attnames a statement's plan writes (the plans live as long as the process)."""
    names = _PLAN_ATTNAMES.get(id(plan))
    if names is None:
        names = _PLAN_ATTNAMES[id(plan)] = frozenset(attname for _f, attname, _p, _a in plan)
    return names


def _unsaved(obj: Model) -> list:
    """The foreign keys of ``obj`` whose related object has no key yet; the keys of the
    others are copied into their columns (as `fix_keys` does)."""
    unsaved = []
    for field in _relations(type(obj)):
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None and related.pk is None:
                unsaved.append(field)
                continue
        _fix_key(obj, field)
    return unsaved


def unsaved_keys(obj: Model) -> list[str]:
    """Attnames of the foreign keys of ``obj`` whose related object has no key yet; the
    keys of the others are copied into their columns now (as `fix_keys` does)."""
    return [field.attname for field in _unsaved(obj)]


def prepare_insert(
    objs: Sequence[Model], *, returning: bool = True, late: Iterable[str] = ()
) -> Prepared:
    """`insert` of ``objs`` worked out now, run by ``.run()`` (see `Prepared`)."""
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    sql, plan = _insert_sql(model, conn.vendor, returning)
    slots = _late(objs, plan, late)
    params = [_prepared(obj, plan, conn) for obj in objs]
    return Prepared(list(objs), sql, plan, params, slots, returning, True, conn)


@cache
def _relations(model: type[Model]) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if f.is_relation)


def fix_keys(obj: Model) -> None:
    """As ``Model.save`` does first: a related object that was saved after it was assigned
    gives its key to the column now; an unsaved one is an error (the row would lose it)."""
    for field in _relations(type(obj)):
        _fix_key(obj, field)


def _fix_key(obj: Model, field) -> None:
    if not field.is_cached(obj):
        return
    related = field.get_cached_value(obj)
    if related is None:
        return
    if related.pk is None:
        raise ValueError(
            f"save() prohibited to prevent data loss due to unsaved related object '{field.name}'."
        )
    if obj.__dict__.get(field.attname) in field.empty_values:
        setattr(obj, field.name, related)
    elif getattr(related, field.target_field.attname) != obj.__dict__.get(field.attname):
        field.delete_cached_value(obj)


# Fields whose database value is the Python value itself when it has one of these types
# (what get_db_prep_save returns for them on both engines); every other field and value
# goes through get_db_prep_save.
_PLAIN_TYPES = (
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.BooleanField, (bool,)),
    (models.IntegerField, (int,)),
    (models.AutoField, (int,)),
    (models.ForeignKey, (int,)),
)


def _plain_types(field) -> tuple[type, ...]:
    if field.choices is not None and isinstance(field, models.BooleanField):
        return ()
    for klass, types in _PLAIN_TYPES:
        if isinstance(field, klass):
            if isinstance(field, models.ForeignKey) and not isinstance(
                field.target_field, models.AutoField | models.IntegerField
            ):
                return ()
            return (*types, type(None))
    return ()


def _plan(fields: tuple) -> tuple:
    """Per field: (field, attname, types passed through unchanged, pre_save needed).
    Made with the statement and kept with it (a cache keyed by the fields would hash
    every field on every call)."""
    return tuple(
        (
            f,
            f.attname,
            _plain_types(f),
            bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
        )
        for f in fields
    )


def _prepared(obj: Model, plan: tuple, conn, add: bool = True) -> list:
    out = []
    values = obj.__dict__
    for field, attname, plain, auto in plan:
        if auto:
            value = field.pre_save(obj, add)
        else:
            value = values[attname] if attname in values else getattr(obj, attname)
        if plain and type(value) in plain:
            out.append(value)
        else:
            out.append(field.get_db_prep_save(value, connection=conn))
    return out


def _param(obj: Model, entry: tuple, conn, add: bool):
    """One value of `_prepared`."""
    field, attname, plain, auto = entry
    if auto:
        value = field.pre_save(obj, add)
    else:
        values = obj.__dict__
        value = values[attname] if attname in values else getattr(obj, attname)
    if plain and type(value) in plain:
        return value
    return field.get_db_prep_save(value, connection=conn)


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], guard: str | None, vendor: str):
    meta = model._meta
    qn = connection.ops.quote_name
    fields = tuple(_field_by_attname(model, n) for n in names)
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"
    if guard:
        sql += f" AND {qn(_field_by_attname(model, guard).column)} = %s"
    return sql, _plan(fields)


def update(obj: Model, names: Iterable[str], *, guard: str | None = None, guard_value=None) -> int:
    """UPDATE the columns ``names`` (attnames) of ``obj`` from its attributes (``auto_now``
    fields among them take the time now); with ``guard``, only where that column still
    holds ``guard_value``. Returns the number of rows changed (0 or 1)."""
    return prepare_update(obj, names, guard=guard, guard_value=guard_value).run()


def prepare_update(
    obj: Model, names: Iterable[str], *, guard: str | None = None, guard_value=None
) -> Prepared:
    """`update` worked out now, run by ``.run()`` (see `Prepared`): the ``auto_now`` times
    and the keys of related objects not saved yet are taken when it runs (those keys
    are among the columns written, whether named or not: their column changes when the
    related object is saved)."""
    conn = connections[DEFAULT_DB_ALIAS]
    keys = _unsaved(obj)
    names = tuple(sorted({*names, *(field.attname for field in keys)}))
    sql, plan = _update_sql(type(obj), names, guard, conn.vendor)
    slots = _slots(plan, {field.attname for field in keys})
    params = _prepared(obj, plan, conn, add=False)
    params.append(obj.pk)
    if guard:
        params.append(guard_value)
    return Prepared([obj], sql, plan, [params], (slots, tuple(keys)), False, False, conn)


@cache
def _one_sql(model: type[Model], where: str, names: tuple[str, ...], vendor: str) -> str:
    return (
        f"SELECT {select_list(model, 't', names)} FROM "
        f"{connection.ops.quote_name(model._meta.db_table)} t WHERE {where}"
    )


def all_of(model: type[Model], where: str, params: Sequence, names=None) -> list[Model]:
    """Every row of ``model`` matching ``where`` (``t`` is the table; an ORDER BY may
    follow the condition) as instances."""
    names = attnames(model, names)
    with cursor() as c:
        c.execute(_one_sql(model, where, names, connection.vendor), list(params))
        return [build(model, names, row) for row in c.fetchall()]


@cache
def _joined_sql(model: type[Model], related: tuple[str, ...], vendor: str) -> tuple[str, Rows]:
    qn = connection.ops.quote_name
    parts = [(model, attnames(model))]
    selects = [select_list(model, "t")]
    joins = []
    for i, name in enumerate(related):
        field = model._meta.get_field(name)
        rel = field.related_model
        alias = f"r{i}"
        kind = "LEFT JOIN" if field.null else "JOIN"
        joins.append(
            f"{kind} {qn(rel._meta.db_table)} {alias}"
            f" ON {alias}.{qn(rel._meta.pk.column)} = t.{qn(field.column)}"
        )
        parts.append((rel, attnames(rel)))
        selects.append(select_list(rel, alias))
    sql = f"SELECT {', '.join(selects)} FROM {qn(model._meta.db_table)} t {' '.join(joins)}"
    return sql, Rows(*parts)


def first_related(
    model: type[Model], related: Sequence[str], where: str, params: Sequence, suffix: str = ""
) -> Model | None:
    """The first row of ``model`` matching ``where`` with the objects of the foreign keys
    ``related`` loaded in the same query (as ``select_related`` would); ``suffix`` ends
    the statement (e.g. ``FOR UPDATE OF t``)."""
    related = tuple(related)
    sql, rows = _joined_sql(model, related, connection.vendor)
    with cursor() as c:
        c.execute(f"{sql} WHERE {where}{suffix}", list(params))
        row = c.fetchone()
    if row is None:
        return None
    main, *others = rows.split(row)
    for name, obj in zip(related, others, strict=True):
        attach(main, name, obj)
    return main
