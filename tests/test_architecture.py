"""The shape of `survey_app`, as docs/architecture.md describes it, checked on the source.

Imports point one way through the layers; only `results` (reading, through the gate),
`responding` (writing) and `demo` (fictional data) touch the anonymous tables; services
know nothing of the web or the command line; no module grows past what one person reads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "survey_app"
MIGRATIONS = PACKAGE / "core" / "piccolo_migrations"

# Lower layers first: a package may import itself and the packages before it, never after.
LAYERS = [
    "tables",
    "core",
    "web",
    "organisation",
    "audit",
    "accounts",
    "waves",
    "mail",
    "responding",
    "results",
    "quickscan",
    "admin",
    "analyze",
    "demo",
    "",  # the modules directly in survey_app: the app factory, the root command line
]
ANONYMOUS_ALLOWED = {"responding", "results", "demo", "tables"}
ANONYMOUS_NAMES = {"Response", "Answer", "SelfIdentification", "ANONYMOUS_TABLES"}
# Modules that may speak HTTP (Litestar) or the command line (click); services may not.
WEB_MODULES = {
    "controllers.py",
    "export_controllers.py",
    "code_controllers.py",
    "upload_controllers.py",
    "manage_controllers.py",
    "questionnaire_controllers.py",
    "preview_controllers.py",
    "consent_controllers.py",
    "manager_controllers.py",
    "hr_controllers.py",
    "form_schema.py",
    "middleware.py",
    "cookies.py",
}
WEB_PACKAGES = {"web", "admin"}
CLI_MODULES = {"cli.py", "scores_cli.py", "themes_cli.py", "messages.py", "commands.py"}
MAX_TOP_LEVEL_MODULES = 8
MAX_LINES = 500


def modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if MIGRATIONS not in path.parents:
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(name: str) -> str:
    """The layer of a module: ``survey_app.results.service`` → ``results``."""
    parts = name.split(".")
    if len(parts) <= 2 and not (PACKAGE / parts[-1]).is_dir():
        return ""
    return parts[1]


def imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names imported from it) for every import, in functions too."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]


def project_imports(path: Path) -> set[str]:
    """Project modules ``path`` imports (``from survey_app import audit`` counts as
    importing ``survey_app.audit``)."""
    found = set()
    for module, names in imports(path):
        if not module.startswith("survey_app"):
            continue
        found.add(module)
        for name in names:
            candidate = f"{module}.{name}"
            if (PROJECT_ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                PROJECT_ROOT / Path(*candidate.split("."))
            ).is_dir():
                found.add(candidate)
    return found


def import_graph() -> dict[str, set[str]]:
    names = {module_name(path): path for path in modules()}
    return {
        name: {target for target in project_imports(path) if target in names and target != name}
        for name, path in names.items()
    }


def test_no_import_cycle() -> None:
    graph = import_graph()
    cycles = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"


def test_imports_point_down_the_layers() -> None:
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    upward = []
    for path in modules():
        source = package_of(module_name(path))
        assert source in rank, f"{path}: package {source!r} is not in LAYERS (add it there)"
        for target in project_imports(path):
            layer = package_of(target)
            if layer and rank[layer] > rank[source]:
                upward.append(f"{module_name(path)} imports {target}")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_the_layer_test_sees_an_upward_import() -> None:
    """The check above is not vacuous: it knows a capability above `core`."""
    assert package_of("survey_app.results.service") == "results"
    assert package_of("survey_app.app") == ""
    assert LAYERS.index("results") > LAYERS.index("core")


SQL_ON_ANONYMOUS = re.compile(
    r"\b(from|join|into|update|table)\s+\"?(answer|response|self_identification)\b", re.I
)


def test_only_results_responding_and_demo_touch_the_anonymous_tables() -> None:
    found = []
    for path in modules():
        if package_of(module_name(path)) in ANONYMOUS_ALLOWED:
            continue
        for module, names in imports(path):
            if module == "survey_app.tables.anonymous" or (
                module == "survey_app.tables" and ANONYMOUS_NAMES & set(names)
            ):
                found.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
        for node in ast.walk(ast.parse(path.read_text())):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and SQL_ON_ANONYMOUS.search(node.value):
                found.append(f"{path.relative_to(PROJECT_ROOT)} queries {node.value[:60]!r}")
    assert not found, "anonymous tables outside results/responding/demo:\n" + "\n".join(found)


def test_the_anonymous_check_catches_sql_text() -> None:
    assert SQL_ON_ANONYMOUS.search('SELECT text FROM "answer"')
    assert SQL_ON_ANONYMOUS.search("select count(*) from response where wave = 1")
    assert SQL_ON_ANONYMOUS.search('SELECT value FROM "self_identification"')
    assert not SQL_ON_ANONYMOUS.search("the response rate from the invitations")


@pytest.mark.parametrize(("library", "allowed"), [("litestar", "web"), ("click", "cli")])
def test_services_know_neither_the_web_nor_the_command_line(library: str, allowed: str) -> None:
    offenders = []
    for path in modules():
        package = package_of(module_name(path))
        if package == "":
            continue
        if allowed == "web" and (package in WEB_PACKAGES or path.name in WEB_MODULES):
            continue
        if allowed == "cli" and path.name in CLI_MODULES:
            continue
        if any(module.split(".")[0] == library for module, _names in imports(path)):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert not offenders, f"modules importing {library} outside its layer: {offenders}"


def test_few_modules_directly_in_the_package() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_over_500_lines() -> None:
    long = {
        str(path.relative_to(PROJECT_ROOT)): count
        for path in modules()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


def test_every_capability_package_is_documented() -> None:
    """docs/architecture.md names every package of survey_app."""
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    packages = sorted(path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists())
    missing = [name for name in packages if not re.search(rf"(?<![\w/]){name}/", text)]
    assert not missing, f"packages not described in docs/architecture.md: {missing}"


def test_the_files_the_document_cites_exist() -> None:
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    cited = set(re.findall(r"`((?:tests|survey_app|analysis|surveys)/[\w/]+\.py)`", text))
    cited |= {
        f"survey_app/{path}"
        for path in re.findall(r"`((?:core|web|results|responding|tables|accounts)/\w+\.py)`", text)
    }
    assert len(cited) > 20
    missing = sorted(path for path in cited if not (PROJECT_ROOT / path).exists())
    assert not missing, f"docs/architecture.md cites files that do not exist: {missing}"
