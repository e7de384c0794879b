"""The four layers hold (issue 11): `lint-imports` passes on the product, and fails as soon as
a lower layer imports a higher one or an app's modules import each other in a cycle."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
PACKAGES = ("web", "breaches", "processing", "subprocessors", "access", "compliance", "audits")
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [LINT, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy(tmp_path):
    """The product's packages and contracts, to plant imports in without touching the tree."""
    for name in PACKAGES:
        shutil.copytree(
            PROJECT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_product_keeps_every_contract():
    result = lint(PROJECT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("planted_in", "line", "expected"),
    [
        ("compliance", "import breaches.models", "compliance is not allowed to import breaches"),
        ("audits", "import compliance.models", "audits is not allowed to import compliance"),
        ("breaches", "import web", "breaches is not allowed to import web"),
        (
            "subprocessors",
            "import breaches.models",
            "subprocessors is not allowed to import breaches",
        ),
    ],
)
def test_an_upward_import_breaks_the_layers(copy, planted_in, line, expected):
    (copy / planted_in / "planted.py").write_text(line + "\n")
    result = lint(copy)
    assert result.returncode != 0
    assert expected in result.stdout, result.stdout[-3000:]


def test_a_cycle_inside_an_app_breaks_the_contract(copy):
    (copy / "compliance" / "planted_a.py").write_text("from compliance import planted_b\n")
    (copy / "compliance" / "planted_b.py").write_text("from compliance import planted_a\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "No cycles are allowed in compliance" in result.stdout, result.stdout[-3000:]
