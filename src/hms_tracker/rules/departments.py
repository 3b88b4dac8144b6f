"""The department tree as plain data: which departments lie below which.

Pure, so that the rule engine (which imports nothing of ours but its own data classes) and
every domain walk the tree the same way. Domains that have a session call
`organisation.service.subtree_ids`, which loads the mapping and asks this function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Tree:
    """The department tree read once from `parents` (each department's id to its parent's
    id, None at the top), to ask for many subtrees: each department's own subtree is
    walked once and kept."""

    def __init__(self, parents: Mapping[int, int | None]) -> None:
        self.children: dict[int, list[int]] = {}
        for child, parent in parents.items():
            if parent is not None:
                self.children.setdefault(parent, []).append(child)
        self._below: dict[int, frozenset[int]] = {}

    def subtree(self, department_ids: Iterable[int]) -> frozenset[int]:
        """The departments `department_ids` and every department below them (a cycle in
        the mapping ends the walk instead of looping)."""
        found: set[int] = set()
        for department_id in department_ids:
            if department_id not in found:
                found |= self._subtree_of_one(department_id)
        return frozenset(found)

    def _subtree_of_one(self, department_id: int) -> frozenset[int]:
        below = self._below.get(department_id)
        if below is None:
            found = {department_id}
            todo = [department_id]
            while todo:
                for child in self.children.get(todo.pop(), ()):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
            below = self._below[department_id] = frozenset(found)
        return below


def subtree_of(department_ids: Iterable[int], parents: Mapping[int, int | None]) -> frozenset[int]:
    """The departments `department_ids` and every department below them.

    `parents` maps each department's id to its parent's id (None at the top). A cycle in
    the mapping ends the walk instead of looping. For many subtrees of one tree, make a
    `Tree` once.
    """
    return Tree(parents).subtree(department_ids)


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
