"""Settings come from the environment and the YAML file, validated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from gorunchat.contracts.settings import ConfigError, Settings


def test_defaults_are_the_embedded_local_stack(tmp_path: Path) -> None:
    settings = Settings.load(env={}, cwd=tmp_path)
    assert settings.port == 3080
    assert settings.store == "sqlite"
    assert settings.sqlite_file == tmp_path / "var" / "gorunchat.sqlite3"
    assert settings.config_path is None


def test_environment_overrides(tmp_path: Path) -> None:
    settings = Settings.load(env={"GORUNCHAT_PORT": "4000", "GORUNCHAT_DATA_DIR": "/srv/data",
                                  "MONGO_URI": "mongodb://db/LibreChat",
                                  "ALLOW_REGISTRATION": "false",
                                  "GORUNCHAT_CORS_ORIGINS": "https://a.example, https://b.example"},
                             cwd=tmp_path)
    assert settings.port == 4000
    assert settings.data_dir == Path("/srv/data")
    assert settings.store == "mongo"
    assert settings.allow_registration is False
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_librechat_yaml_shape_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "gorunchat.yaml").write_text(
        "version: 1.2.1\ncache: true\nregistration:\n  allowedDomains: [example.com]\n"
        "endpoints:\n  custom:\n    - name: groq\n      apiKey: '${GROQ_API_KEY}'\n"
        "      baseURL: https://api.groq.com/openai/v1/\n      models:\n"
        "        default: [llama3-70b-8192]\n        fetch: false\n"
        "      dropParams: [frequency_penalty]\n"
        "speech:\n  tts: {}\n", encoding="utf-8")
    settings = Settings.load(env={}, cwd=tmp_path)
    assert settings.app.registration.allowedDomains == ["example.com"]
    assert settings.app.endpoints.custom[0].dropParams == ["frequency_penalty"]
    assert settings.app.model_extra == {"speech": {"tts": {}}}


@pytest.mark.parametrize(("content", "fragment"), [
    ("- just\n- a list\n", "mapping"),
    ("endpoints:\n  custom:\n    - name: x\n", "not a valid configuration"),
    ("version: [unclosed\n", "cannot read"),
])
def test_invalid_yaml_is_a_clear_config_error(tmp_path: Path, content: str,
                                              fragment: str) -> None:
    (tmp_path / "gorunchat.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        Settings.load(env={}, cwd=tmp_path)


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(env={"GORUNCHAT_CONFIG": "missing.yaml"}, cwd=tmp_path)


def test_bad_numbers_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GORUNCHAT_PORT"):
        Settings.load(env={"GORUNCHAT_PORT": "eighty"}, cwd=tmp_path)
