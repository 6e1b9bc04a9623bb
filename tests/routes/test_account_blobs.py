"""Deleting an account removes the blobs of its files once the erasure has committed: the
user's own deletion and an admin's. A hold keeps them; a failed commit keeps them too."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from gorunchat.contracts.library import StoredFile
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted
from tests.routes.test_files import upload


def _upload(auth: dict[str, str]) -> str:
    answer = upload(mounted("files"), auth, b"quarterly numbers\n", "numbers.txt")
    assert answer.status_code == 200, answer.json
    return str(answer.json["file_id"])


def _key(container: Container, file_id: str) -> str:
    with container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(StoredFile).get(file_id)
    assert stored is not None and stored.storageKey
    return stored.storageKey


def test_own_account_deletion_removes_the_blobs(container: Container,
                                                make_user: UserFactory) -> None:
    _, auth = make_user()
    key = _key(container, _upload(auth))
    assert container.blobs.exists(key)
    gone = mounted("user").delete("/api/user/delete", headers=auth)
    assert gone.status_code == 200, gone.json
    assert not container.blobs.exists(key)


def test_admin_deletion_removes_the_blobs(container: Container,
                                          make_user: UserFactory) -> None:
    user, auth = make_user()
    _, admin = make_user(role="ADMIN")
    key = _key(container, _upload(auth))
    gone = mounted("admin").delete(f"/api/admin/users/{user.id}", headers=admin)
    assert gone.status_code == 200, gone.json
    assert not container.blobs.exists(key)


def test_a_failed_deletion_keeps_the_blobs(sqlite_container: Container) -> None:
    from tests.routes.conftest import user_factory

    _, auth = user_factory(sqlite_container)()
    key = _key(sqlite_container, _upload(auth))
    fail_audit_writes(sqlite_container)
    refused = mounted("user").delete("/api/user/delete", headers=auth)
    assert refused.status_code == 503
    assert sqlite_container.blobs.exists(key)
