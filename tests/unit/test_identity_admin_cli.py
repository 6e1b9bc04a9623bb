"""``gorunchat admin create-super-admin``: creates or promotes, audits, signs in."""

from __future__ import annotations

from pathlib import Path

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.cli import main
from gorunchat.domain.passwords import verify_password
from tests.routes.conftest import _settings


@pytest.fixture
def cli_container(data_dir: Path) -> Container:
    container = Container(_settings(data_dir))
    set_container(container)
    yield container  # type: ignore[misc]
    set_container(None)
    container.close()


def test_creates_a_verified_super_admin_with_the_given_password(
        cli_container: Container, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["admin", "create-super-admin", "--email", "Root@Example.org",
                 "--password", "a long password"])

    assert code == 0
    assert "created root@example.org" in capsys.readouterr().out
    with cli_container.store.unit_of_work("default", readonly=True) as uow:
        user = uow.users.find_one({"email": "root@example.org"})
    assert user is not None
    assert (user.role, user.emailVerified) == ("SUPER_ADMIN", True)
    assert verify_password(user.password, "a long password") is True
    records = cli_container.store.audit_log("default").records()
    assert [(r.action, r.metadata["created"]) for r in records] == [
        ("admin.super_admin_granted", True)]


def test_promotes_an_existing_account_and_keeps_its_password(
        cli_container: Container, capsys: pytest.CaptureFixture[str]) -> None:
    main(["admin", "create-super-admin", "--email", "ada@example.org", "--password",
          "first password"])
    with cli_container.store.unit_of_work("default") as uow:
        user = uow.users.find_one({"email": "ada@example.org"})
        assert user is not None
        uow.users.update(user.id, {"role": "USER"})
        uow.commit()

    code = main(["admin", "create-super-admin", "--email", "ada@example.org"])

    assert code == 0
    assert "promoted ada@example.org" in capsys.readouterr().out
    with cli_container.store.unit_of_work("default", readonly=True) as uow:
        again = uow.users.find_one({"email": "ada@example.org"})
    assert again is not None and again.role == "SUPER_ADMIN"
    assert verify_password(again.password, "first password") is True


def test_rejects_a_bad_email(cli_container: Container) -> None:
    assert main(["admin", "create-super-admin", "--email", "not-an-email"]) == 2
