"""Materialized paths for the organization tree.

A path is the concatenation of fixed-width, zero-padded ids from the root down, digits only:
organization 12 under 3 under 1 has path ``00000001`` ``00000003`` ``00000012``. Digits-only
fixed-width segments sort the same under every collation, so a subtree is one index range
``[path, next_sibling_path)`` on PostgreSQL and SQLite alike. Big tables (members, and later
attendance and the like) carry a copy of their organization's path and use the same ranges.
"""

from collections.abc import Callable, Iterable

from django.db.models import Q

SEGMENT = 8
MAX_DEPTH = 12
PATH_MAX_LENGTH = SEGMENT * MAX_DEPTH


def segment(pk: int) -> str:
    return str(pk).zfill(SEGMENT)


def child_path(parent_path: str, pk: int) -> str:
    return parent_path + segment(pk)


def depth(path: str) -> int:
    return len(path) // SEGMENT


def ancestor_paths(path: str) -> list[str]:
    """Paths of every ancestor, root first (excluding ``path`` itself)."""
    return [path[:i] for i in range(SEGMENT, len(path), SEGMENT)]


def ancestor_ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path) - SEGMENT, SEGMENT)]


def subtree_bounds(path: str) -> tuple[str, str]:
    """The half-open range of paths in the subtree rooted at ``path`` (itself included)."""
    head, last = path[:-SEGMENT], int(path[-SEGMENT:])
    return path, head + segment(last + 1)


def subtree_q(path: str, field: str = "path") -> Q:
    low, high = subtree_bounds(path)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def union_q(paths: Iterable[str], field: str = "path") -> Q:
    """Rows inside any of the subtrees; an empty iterable matches nothing."""
    q = Q(pk__in=[])
    for p in collapse(paths):
        q |= subtree_q(p, field)
    return q


def collapse(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor in the same set."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


def covers(paths: Iterable[str], path: str) -> bool:
    return any(path.startswith(p) for p in paths)


# Tables that carry a copy of their organization's path (``org_path``), registered by their
# apps in ``AppConfig.ready``. Moving an organization rewrites every registered copy in the same
# transaction, so no app below has to know the apps above it.
PATH_COPIES: list[tuple[type, str]] = []


def register_path_copy(model: type, field: str = "org_path") -> None:
    if (model, field) not in PATH_COPIES:
        PATH_COPIES.append((model, field))


# Copies that are not a prefix rewrite: a need's street and county are the organizations *above*
# its village at a given level, so moving the village under another street changes them while
# the street's own path stays put. Apps register ``hook(old_path, new_path)`` in
# ``AppConfig.ready``; ``organization_move`` calls each after rewriting the paths and their
# registered copies, in the same transaction.
MOVE_HOOKS: list[Callable[[str, str], None]] = []


def register_move_hook(hook: Callable[[str, str], None]) -> None:
    if hook not in MOVE_HOOKS:
        MOVE_HOOKS.append(hook)


def subtree_totals(queryset, paths: list[str], sum_field: str) -> dict[str, tuple[int, int]]:
    """For each subtree: (rows of ``queryset`` in it, sum of ``sum_field`` over them), in one
    statement — a ``UNION ALL`` of one index range aggregate per subtree, so nothing is
    computed per row to find which subtree a row belongs to."""
    if not paths:
        return {}
    from django.db import connections

    base = queryset.order_by().values("pk", sum_field)
    connection = connections[queryset.db]
    column = connection.ops.quote_name(sum_field)
    parts, params = [], []
    for position, path in enumerate(paths):
        sql, part_params = base.filter(subtree_q(path, "path")).query.sql_with_params()
        parts.append(
            f"SELECT {position} AS k, COUNT(*) AS n, COALESCE(SUM(t{position}.{column}), 0) AS s "
            f"FROM ({sql}) AS t{position}"
        )
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {paths[k]: (int(n), int(s)) for k, n, s in cursor.fetchall()}
