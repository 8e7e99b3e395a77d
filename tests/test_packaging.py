"""The Docker image carries every package the bot imports, and builds catalogs as make does."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _packages() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests"} and not path.parent.name.startswith(".")
    }


def test_dockerfile_copies_every_package_and_module() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    copied_files = {
        name
        for line in dockerfile.splitlines()
        if line.startswith("COPY ")
        for name in line.split()[1:-1]
    }
    assert _packages() <= copied
    assert {"bot.py", "settings.py", "pyproject.toml"} <= copied_files
    assert "locales" in copied
    assert "pybabel compile --domain messages" in dockerfile
    assert "USER tideline" in dockerfile and "HEALTHCHECK" in dockerfile


def test_pyproject_packages_cover_every_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    for package in _packages():
        assert f'"{package}*"' in pyproject, package


def test_the_image_health_check_runs_a_module_that_exists_with_a_heartbeat() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    match = re.search(r'HEALTHCHECK .*?CMD \["python", "-m", "([\w.]+)"\]', dockerfile, re.DOTALL)
    assert match is not None
    assert (ROOT / (match.group(1).replace(".", "/") + ".py")).is_file(), match.group(1)
    assert "HEARTBEAT_FILE=" in dockerfile


def test_compose_publishes_the_webhook_port() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    ports = compose["services"]["bot"]["ports"]
    assert any(port.endswith(":${WEBHOOK_PORT:-8443}") for port in ports), ports
