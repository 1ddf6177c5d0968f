from tongchou.core import tree


def test_child_path_and_bounds():
    root = tree.child_path("", 1)
    child = tree.child_path(root, 12)
    assert child == "0000000100000012"
    low, high = tree.subtree_bounds(child)
    assert low == child and high == "0000000100000013"
    assert low <= child + "00000099" < high
    assert not (low <= "0000000100000013" < high)


def test_collapse_keeps_outermost_paths():
    a = tree.child_path("", 1)
    b = tree.child_path(a, 2)
    c = tree.child_path("", 3)
    assert tree.collapse([b, a, c, b]) == [a, c]


def test_ancestor_ids():
    path = tree.child_path(tree.child_path(tree.child_path("", 1), 5), 9)
    assert tree.ancestor_ids(path) == [1, 5]
    assert tree.depth(path) == 3
