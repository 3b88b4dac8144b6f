"""The department tree walk every domain shares (rules/departments.py)."""

from __future__ import annotations

from hms_tracker.rules.departments import Tree, ancestors_of, subtree_of

# Drift ─┬─ Lager ── Kjølelager
#        └─ Verksted
# Kontor
PARENTS = {1: None, 2: 1, 3: 2, 4: 1, 5: None}


def test_a_department_comes_with_every_department_below_it():
    assert subtree_of([1], PARENTS) == {1, 2, 3, 4}
    assert subtree_of([2], PARENTS) == {2, 3}
    assert subtree_of([3], PARENTS) == {3}


def test_several_departments_and_none():
    assert subtree_of([2, 5], PARENTS) == {2, 3, 5}
    assert subtree_of([], PARENTS) == frozenset()


def test_an_id_the_mapping_does_not_know_is_kept_alone():
    assert subtree_of([99], PARENTS) == {99}


def test_a_cycle_in_the_data_ends_the_walk():
    assert subtree_of([1], {1: 2, 2: 1, 3: 2}) == {1, 2, 3}


def test_ancestors_are_the_departments_whose_subtree_holds_one():
    assert ancestors_of([3], PARENTS) == {1, 2, 3}
    assert ancestors_of([4, 5], PARENTS) == {1, 4, 5}
    assert ancestors_of([], PARENTS) == frozenset()
    assert ancestors_of([1], {1: 2, 2: 1}) == {1, 2}
    for below in PARENTS:
        for above in PARENTS:
            assert (below in subtree_of([above], PARENTS)) == (
                above in ancestors_of([below], PARENTS)
            )


def test_one_tree_answers_many_subtrees_as_the_function_does():
    tree = Tree(PARENTS)
    for ids in ([1], [2], [3], [2, 5], [], [99], [3, 1], [1]):
        assert tree.subtree(ids) == subtree_of(ids, PARENTS)
    cycle = Tree({1: 2, 2: 1, 3: 2})
    assert cycle.subtree([1]) == {1, 2, 3} and cycle.subtree([3]) == {3}
