"""The department tree as plain data: which departments lie below which.

Pure, so that the rule engine (which imports nothing of ours but its own data classes) and
every domain walk the tree the same way. Domains that have a session call
`organisation.service.subtree_ids`, which loads the mapping and asks this function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def subtree_of(department_ids: Iterable[int], parents: Mapping[int, int | None]) -> frozenset[int]:
    """The departments `department_ids` and every department below them.

    `parents` maps each department's id to its parent's id (None at the top). A cycle in
    the mapping ends the walk instead of looping.
    """
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found = set(department_ids)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def ancestors_of(
    department_ids: Iterable[int], parents: Mapping[int, int | None]
) -> frozenset[int]:
    """The departments `department_ids` and every department above them: those whose
    subtree holds one of them (a cycle ends the walk)."""
    found: set[int] = set()
    for department_id in department_ids:
        current: int | None = department_id
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
    return frozenset(found)
