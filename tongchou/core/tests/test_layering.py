"""``core`` is the ground floor: no module of it imports from an app above (STYLE.md), at the top
of a file or inside a function. The apps above reach core through registries it offers
(``core.api.register_scope_check``, ``core.tree.register_path_copy``).

The tests of core are left out: they build small deployments with every app's models (the
shared factories) to test core's behaviour inside the whole project."""

import ast
from pathlib import Path

import tongchou.core

CORE = Path(tongchou.core.__file__).parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # A relative import reaching out of core (``from ...members import x``).
            depth = len(path.relative_to(CORE).parts) - 1
            if node.level > depth + 1:
                found.append((node.lineno, "." * node.level + (node.module or "")))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "tests" not in p.relative_to(CORE).parts)


def upward(module: str) -> bool:
    if module.startswith("."):
        return True
    parts = module.split(".")
    return parts[0] == "tongchou" and (len(parts) == 1 or parts[1] != "core")


def test_core_imports_nothing_from_the_apps_above_it():
    offending = [
        f"{path.relative_to(CORE.parent.parent)}:{line}: {module}"
        for path in core_modules()
        for line, module in imported_modules(path)
        if upward(module)
    ]
    assert not offending, "core imports from the apps above it:\n" + "\n".join(offending)


def test_the_check_sees_every_kind_of_import(tmp_path):
    """The test above can fail: each spelling of an upward import is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import tongchou.organizations\n"
        "from tongchou.members.models import Member\n"
        "def later():\n"
        "    from tongchou.portal import selectors\n"
        "    importlib.import_module('tongchou.accounts.services')\n"
        "from tongchou.core import tree\n"
        "import django\n"
    )
    modules = [m for _line, m in imported_modules(sample) if upward(m)]
    assert modules == [
        "tongchou.organizations",
        "tongchou.members.models",
        "tongchou.portal",
        "tongchou.accounts.services",
    ]
    assert core_modules(), "no core module found"


# The apps whose records a booking can hold (orglife's sessions, education's trainings) sit
# below resources, which links a booking to them: they reach the booking through
# ``core.prefill``, never by importing resources.
BELOW_RESOURCES = ("orglife", "education")


def test_the_apps_below_resources_do_not_import_it():
    root = CORE.parent
    offending = [
        f"{path.relative_to(root.parent)}:{line}: {module}"
        for app in BELOW_RESOURCES
        for path in sorted((root / app).rglob("*.py"))
        if "tests" not in path.relative_to(root / app).parts
        for line, module in imported_modules(path)
        if module.startswith("tongchou.resources")
    ]
    assert not offending, "imports from the resources app above:\n" + "\n".join(offending)
