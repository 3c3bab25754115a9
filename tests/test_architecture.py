"""Guard the architecture: the import contracts (.importlinter) hold and ruff passes with the project's rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script installed beside this Python (the venv's), else on PATH."""
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `pip install -e '.[test]'`")
    return found


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the tree at `root` with its .importlinter contracts."""
    return subprocess.run([tool("lint-imports"), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": str(BIN)}, timeout=120, check=False)


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("KEPT") == 3


BREAKS = {
    "the kernel imports a service": ("shared/zz_break.py", "import services.intake.domain.community\n",
                                     "The kernel (shared) imports no service BROKEN"),
    "a service imports another": ("services/construction/zz_break.py", "import services.intake.domain.plan\n",
                                  "No service imports another service BROKEN"),
    "a domain does I/O": ("services/construction/domain/zz_break.py", "import sqlalchemy\n",
                          "BROKEN"),
    "a domain reaches the kernel's store": ("services/intake/domain/zz_break.py", "import shared.eventstore\n",
                                            "BROKEN"),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_a_broken_contract_is_caught(name, tmp_path):
    relative, line, expected = BREAKS[name]
    for package in ("shared", "services"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / relative).write_text(f'"""A deliberate break."""\n{line}')
    result = lint_imports(tmp_path)
    assert result.returncode != 0 and expected in " ".join(result.stdout.split()), result.stdout


def test_ruff_passes_with_the_project_settings():
    result = subprocess.run([tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                             "shared", "services", "tests"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
