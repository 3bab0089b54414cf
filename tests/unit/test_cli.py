"""``python -m worker``: settings are validated before LiveKit starts; bad input exits 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
KEYS = (
    "LIVEKIT_URL",
    "LIVEKIT_API_KEY",
    "LIVEKIT_API_SECRET",
    "OPENAI_API_KEY",
    "DEEPGRAM_API_KEY",
    "ELEVEN_API_KEY",
    "PROVIDER_PROFILE",
    "SECRET_SALT",
    "LOCAL_LLM_URL",
)


def _worker(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "worker", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dev_without_livekit_url_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    result = _worker("dev", cwd=tmp_path)  # tmp_path: no .env to pick up
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("worker: cannot dev: LIVEKIT_URL is not set")


def test_cloud_profile_names_each_missing_provider_key(tmp_path: Path) -> None:
    result = _worker("console", cwd=tmp_path)
    assert result.returncode == 2
    for key in ("OPENAI_API_KEY", "DEEPGRAM_API_KEY", "ELEVEN_API_KEY"):
        assert f"{key} is not set" in result.stderr
    assert "LIVEKIT_URL" not in result.stderr, "console needs no server"


def test_start_refuses_the_development_salt(tmp_path: Path) -> None:
    result = _worker(
        "start",
        cwd=tmp_path,
        LIVEKIT_URL="wss://example.invalid",
        LIVEKIT_API_KEY="k",
        LIVEKIT_API_SECRET="s",
        PROVIDER_PROFILE="local",
    )
    assert result.returncode == 2 and "SECRET_SALT is the development default" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {
                "LIVEKIT_URL": "localhost:7880",
                "LIVEKIT_API_KEY": "k",
                "LIVEKIT_API_SECRET": "s",
                "PROVIDER_PROFILE": "local",
            },
            "LIVEKIT_URL must start with wss:// or ws://",
        ),
        ({"PROVIDER_PROFILE": "gpu"}, "invalid setting PROVIDER_PROFILE"),
        ({"MAX_AUTH_ATTEMPTS": "zero"}, "invalid setting MAX_AUTH_ATTEMPTS"),
    ],
)
def test_malformed_settings_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = _worker("dev", cwd=tmp_path, **env)
    assert result.returncode == 2 and message in result.stderr


def test_simulate_rejects_a_missing_recording_and_a_missing_llm_server(tmp_path: Path) -> None:
    missing = _worker("simulate", "nope.wav", "--llm", "scripted", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.wav is not a WAV file" in missing.stderr
    no_server = _worker("simulate", cwd=ROOT, LOCAL_LLM_URL="http://127.0.0.1:9/v1")
    assert no_server.returncode == 2 and "no LLM server at http://127.0.0.1:9/v1" in no_server.stderr


def test_simulate_text_mode_runs_a_scripted_call(tmp_path: Path) -> None:
    lines = tmp_path / "caller.txt"
    lines.write_text("Hi, I'd like to return a jacket I bought.\nMy first name is Ava.\n")
    result = _worker("simulate", "--text", str(lines), "--llm", "scripted", "--out", str(tmp_path / "run"), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "[authentication] Thanks, Ava." in result.stdout
    assert (tmp_path / "run" / "report.json").exists()


def test_simulate_scenario_prints_the_outcome_and_its_exit_status_follows_it(tmp_path: Path) -> None:
    """The bundled return scenario meets every expectation with the scripted model, twice into the
    same folder (each run starts from a fresh database); a false expectation fails the run."""
    for _ in range(2):
        ok = _worker("simulate", "--scenario", "return_jacket", "--llm", "scripted", "--out", str(tmp_path), cwd=ROOT)
        assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
        assert "=> MET every expectation" in ok.stdout
        assert "ok   returns inserted rows" in ok.stdout
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(
        "expect: verified=yes returns+1\nHi, I'd like to return a jacket I bought.\nMy first name is Ava.\n"
    )
    failed = _worker("simulate", "--text", str(wrong), "--llm", "scripted", "--out", str(tmp_path / "w"), cwd=ROOT)
    assert failed.returncode == 1
    assert "FAIL verified" in failed.stdout and "=> FAILED 2 of 2 expectations" in failed.stdout
