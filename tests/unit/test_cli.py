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
    "LOG_LEVEL",
    "NOISE_CANCELLATION",
    "LOAD_THRESHOLD",
    "NUM_IDLE_PROCESSES",
    "JOB_MEMORY_LIMIT_MB",
)


def _worker(*args: str, cwd: Path, module: str = "worker", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
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
        ({"LOAD_THRESHOLD": "1.5"}, "invalid setting LOAD_THRESHOLD"),
        (
            {
                "LIVEKIT_URL": "ws://127.0.0.1:7880",
                "LIVEKIT_API_KEY": "k",
                "LIVEKIT_API_SECRET": "s",
                "PROVIDER_PROFILE": "local",
                "NOISE_CANCELLATION": "bvc",
            },
            "NOISE_CANCELLATION=bvc needs LiveKit Cloud",
        ),
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


def test_help_lists_each_command_with_one_line_of_help(tmp_path: Path) -> None:
    from worker.__main__ import COMMANDS

    result = _worker("--help", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name, text in COMMANDS.items():
        assert f"  {name:<16}{text}" in lines, f"{name} is not listed on one line"
    assert set(COMMANDS) == {"start", "dev", "console", "connect", "simulate", "download-files"}
    assert "python -m livekit.agents start worker/app.py" in result.stdout


def test_no_or_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    assert _worker(cwd=tmp_path).returncode == 2
    unknown = _worker("serve", cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'serve'" in unknown.stderr


def test_livekit_own_cli_on_the_app_file_checks_the_settings_too(tmp_path: Path) -> None:
    """``python -m livekit.agents start worker/app.py`` (what ``lk agent`` runs) exits 2 with our line,
    not LiveKit's exit 0 after "ws_url is required"."""
    result = _worker("start", str(ROOT / "worker" / "app.py"), cwd=tmp_path, module="livekit.agents")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1
    assert lines[0].startswith("worker: cannot start: LIVEKIT_URL is not set")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("start", ["--log-level", "WARNING", "--log-format", "json"]),
        ("dev", ["--log-level", "WARNING", "--dev", "--log-format", "colored"]),
    ],
)
def test_start_and_dev_run_livekit_current_entry_on_the_app_server(
    command: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker hands over to ``python -m livekit.agents start worker/app.py``, whose discovery finds
    our server (prewarm and all), not to the deprecated ``cli.run_app``."""
    import livekit.agents.__main__ as livekit_main
    from livekit.agents import AgentServer
    from livekit.agents.cli.discover import get_import_data

    import worker.__main__ as cli
    from worker.server import prewarm

    monkeypatch.chdir(tmp_path)
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    env = {"LIVEKIT_URL": "wss://desk.example", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}
    for key, value in {**env, "PROVIDER_PROFILE": "local", "SECRET_SALT": "s3cret", "LOG_LEVEL": "WARNING"}.items():
        monkeypatch.setenv(key, value)
    seen: list[list[str]] = []

    def fake_livekit_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr(livekit_main, "main", fake_livekit_main)

    assert cli.main([command]) == 0
    assert seen == [["start", str(cli.APP), *expected]]
    found = get_import_data(path=cli.APP)
    server = getattr(sys.modules[found.module_data.module_import_str], found.app_name)
    assert found.app_name == "server" and isinstance(server, AgentServer)
    assert server.setup_fnc is prewarm


def test_download_files_loads_every_model_of_the_profile(tmp_path: Path) -> None:
    result = _worker("download-files", cwd=tmp_path, PROVIDER_PROFILE="local")
    assert result.returncode == 0, result.stdout + result.stderr
    for model in ("Silero VAD", "end-of-turn v1-mini", "Whisper tiny.en", "Piper en_US-joe-medium"):
        assert any(line.strip().startswith(f"ok      {model}") for line in result.stdout.splitlines()), model
