"""Deployment files: the SIP trunk and dispatch rule as LiveKit parses them, the self-hosted server and
SIP service configs agree, the LiveKit Cloud project file, the Dockerfile, and the AgentServer options."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import json_format
from livekit.agents import AgentServer, WorkerOptions
from livekit.protocol import sip

from worker.scaling import server_options
from worker.settings import Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SIP_DIR = ROOT / "deploy" / "sip"


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def _dispatch_rule() -> sip.SIPDispatchRuleInfo:
    """The rule LiveKit creates from the file (``lk sip dispatch create``): the ``dispatch_rule`` object
    when present, else the legacy top-level fields (LiveKit's ``CreateSIPDispatchRuleRequest.DispatchRuleInfo``)."""
    request = json_format.Parse((SIP_DIR / "dispatch-rule.json").read_text(), sip.CreateSIPDispatchRuleRequest())
    assert request.HasField("dispatch_rule"), "use the current dispatch_rule object"
    return request.dispatch_rule


def test_dispatch_rule_sends_each_caller_to_a_new_room_with_our_agent() -> None:
    """Explicit dispatch: the worker registers as AGENT_NAME and takes only rooms that ask for it. A
    ``room_config`` beside ``dispatch_rule`` instead of inside it is ignored by LiveKit (no agent)."""
    rule = _dispatch_rule()
    assert [a.agent_name for a in rule.room_config.agents] == [_settings().agent_name]
    assert rule.rule.WhichOneof("rule") == "dispatch_rule_individual", "one room per call"
    assert rule.rule.dispatch_rule_individual.room_prefix
    assert not rule.hide_phone_number, "the desk recognises callers by sip.phoneNumber"
    raw = json.loads((SIP_DIR / "dispatch-rule.json").read_text())
    assert set(raw) == {"dispatch_rule"}, "top-level fields are ignored when dispatch_rule is given"


def test_inbound_trunk_is_restricted_and_uses_krisp() -> None:
    trunk = json_format.Parse((SIP_DIR / "inbound-trunk.json").read_text(), sip.CreateSIPInboundTrunkRequest()).trunk
    assert trunk.numbers and all(re.fullmatch(r"\+\d{8,15}", n) for n in trunk.numbers), "E.164 numbers"
    assert trunk.allowed_addresses or (trunk.auth_username and trunk.auth_password), "not open to any caller"
    for address in trunk.allowed_addresses:
        ipaddress.ip_network(address)
    assert trunk.krisp_enabled, "the default NOISE_CANCELLATION=off leaves noise cancellation to the trunk"
    assert trunk.max_call_duration.seconds > 0


def test_sip_service_and_server_share_keys_and_redis() -> None:
    server = yaml.safe_load((ROOT / "livekit.yaml").read_text())
    service = yaml.safe_load((SIP_DIR / "sip.yaml").read_text())
    assert server["keys"][service["api_key"]] == service["api_secret"]
    assert service["redis"]["address"] == server["redis"]["address"]
    assert service["ws_url"].endswith(f":{server['port']}")
    start, end = (int(x) for x in service["rtp_port"].split("-"))
    rtc = server["rtc"]
    assert end < rtc["port_range_start"] or start > rtc["port_range_end"], "SIP media and WebRTC ports overlap"
    assert len(service["api_secret"]) >= 32


def test_livekit_toml_is_the_lk_project_file() -> None:
    config = tomllib.loads((ROOT / "livekit.toml").read_text())
    assert set(config) == {"project", "agent"}
    assert isinstance(config["project"]["subdomain"], str) and config["project"]["subdomain"]
    assert config["agent"] == {"id": ""}, "lk agent create fills it"


def _dockerfile() -> list[str]:
    """Dockerfile instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_runs_the_worker_as_non_root_with_livekit_health_check() -> None:
    lines = _dockerfile()
    project_python = re.search(r"requires-python = \">=(\d+\.\d+)", (ROOT / "pyproject.toml").read_text())
    assert project_python and f"ARG PYTHON_VERSION={project_python.group(1)}" in lines
    assert "FROM python:${PYTHON_VERSION}-slim" in lines
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["python", "-m", "worker", "start"]'
    assert any("python -m worker download-files" in line for line in lines), "models checked at build"
    health = next(line for line in lines if line.startswith("HEALTHCHECK"))
    port = dataclasses.fields(WorkerOptions)
    prod_port = next(f.default for f in port if f.name == "port").prod_default  # type: ignore[union-attr]
    assert f"http://127.0.0.1:{prod_port}/" in health and f"EXPOSE {prod_port}" in lines


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".env.*", ".git", ".venv", "data", "runs"} <= ignored
    assert "!.env.sample" in ignored


def test_server_options_pass_only_what_is_set_and_agent_server_accepts_them() -> None:
    preload = {"preload_modules": ["worker.server"]}
    assert server_options(_settings()) == preload
    assert server_options(_settings(provider_profile="local")) == {**preload, "initialize_process_timeout": 60.0}
    options = server_options(
        _settings(load_threshold=0.6, num_idle_processes=3, job_memory_limit_mb=700, initialize_process_timeout_s=20)
    )
    assert options == {
        **preload,
        "load_threshold": 0.6,
        "num_idle_processes": 3,
        "job_memory_limit_mb": 700,
        "initialize_process_timeout": 20,
    }
    AgentServer(**options)
