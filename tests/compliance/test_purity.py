"""models.compliance stays pure: stdlib and models.domain only, no clock read, no I/O."""

import ast
import pathlib
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "models" / "compliance"


def _imports(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_stdlib_and_domain_imports():
    allowed_prefixes = ("models.domain", "models.compliance")
    for path in PACKAGE.glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert name.startswith(allowed_prefixes) or top in sys.stdlib_module_names or top == "__future__", (
                f"{path.name} imports {name}")


def test_no_hidden_clock_or_io():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("date.today(", "datetime.now(", "open(", "time.time("):
            assert forbidden not in source, f"{path.name} uses {forbidden}"
