"""Every setting the worker reads is documented in .env.sample and in the README's configuration table."""

from __future__ import annotations

from pathlib import Path

from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _keys() -> list[str]:
    return [name.upper() for name in Settings.model_fields]


def test_every_setting_is_in_env_sample() -> None:
    sample = (ROOT / ".env.sample").read_text(encoding="utf-8")
    missing = [k for k in _keys() if f"\n{k}=" not in sample and not sample.startswith(f"{k}=")]
    assert not missing, f"add to .env.sample: {missing}"


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") : readme.index("## Architecture")]
    missing = [k for k in _keys() if f"`{k}`" not in table]
    assert not missing, f"add to the README configuration table: {missing}"
