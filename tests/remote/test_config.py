"""`.dvc/config` gets the URL and endpoint, `.dvc/config.local` the keys, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import InvalidRemote, RemoteCredentialsRejected, RemoteUnreachable
from mlproj.remote import add_remote, configured_remote, parse_remote, write_remote
from tests.conftest import git, write

REMOTE = parse_remote("s3://data-bucket/churn", "http://127.0.0.1:8333")
CONFIG = """\
[core]
    remote = storage
['remote "storage"']
    url = s3://data-bucket/churn
    endpointurl = http://127.0.0.1:8333
"""


def test_the_url_and_endpoint_are_committed_config_and_keys_stay_out(
    repo: Path, keys: tuple[str, str]
) -> None:
    write_remote(repo, REMOTE)
    assert (repo / ".dvc" / "config").read_text() == CONFIG
    assert not (repo / ".dvc" / "config.local").exists()
    configured = configured_remote(repo)
    assert configured.remote == REMOTE
    assert configured.options == {}


def test_local_credentials_go_to_config_local_readable_by_the_owner_only(
    repo: Path, keys: tuple[str, str]
) -> None:
    write_remote(repo, REMOTE, local_credentials=True)
    assert (repo / ".dvc" / "config").read_text() == CONFIG
    local = repo / ".dvc" / "config.local"
    assert local.read_text() == (
        "['remote \"storage\"']\n"
        f"    access_key_id = {keys[0]}\n"
        f"    secret_access_key = {keys[1]}\n"
    )
    assert local.stat().st_mode & 0o777 == 0o600
    assert git(repo, "status", "--porcelain") == "M .dvc/config"
    assert configured_remote(repo).options == {
        "access_key_id": keys[0],
        "secret_access_key": keys[1],
    }


def test_local_credentials_need_both_keys_in_the_environment(
    repo: Path, no_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID")
    with pytest.raises(RemoteCredentialsRejected) as raised:
        write_remote(repo, REMOTE, local_credentials=True)
    assert str(raised.value) == (
        "--local-credentials copies the keys from the environment, and AWS_SECRET_ACCESS_KEY is "
        "not set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first."
    )
    assert (repo / ".dvc" / "config").read_text() == ""


@pytest.mark.parametrize("how", ["not-ignored", "tracked"])
def test_keys_are_refused_where_git_would_commit_them(
    repo: Path, keys: tuple[str, str], how: str
) -> None:
    if how == "not-ignored":
        write(repo / ".dvc" / ".gitignore", "/tmp\n/cache\n")
        why = "git does not ignore it"
    else:
        write(repo / ".dvc" / "config.local", "")
        git(repo, "add", "--force", ".dvc/config.local")
        why = "git tracks it"
    with pytest.raises(InvalidRemote) as raised:
        write_remote(repo, REMOTE, local_credentials=True)
    assert str(raised.value) == (
        f"{repo / '.dvc/config.local'} would hold the keys but {why}: restore DVC's "
        ".dvc/.gitignore (`/config.local`) and `git rm --cached .dvc/config.local`, or keep the "
        "keys in the environment (drop --local-credentials)."
    )
    assert (
        keys[1] not in (repo / ".dvc" / "config.local").read_text(errors="replace")
        if (repo / ".dvc" / "config.local").exists()
        else True
    )
    assert (repo / ".dvc" / "config").read_text() == ""


def test_a_failed_check_leaves_both_files_as_they_were(repo: Path, keys: tuple[str, str]) -> None:
    write(repo / ".dvc" / "config", "[core]\n    autostage = true\n")

    def down(configured: object) -> None:
        raise RemoteUnreachable("down")

    with pytest.raises(RemoteUnreachable):
        write_remote(repo, REMOTE, local_credentials=True, before=down)
    assert (repo / ".dvc" / "config").read_text() == "[core]\n    autostage = true\n"
    assert not (repo / ".dvc" / "config.local").exists()
    assert sorted(p.name for p in (repo / ".dvc").iterdir()) == [".gitignore", "config"]


def test_a_key_in_the_committed_config_is_refused_not_used(repo: Path) -> None:
    write(repo / ".dvc" / "config", CONFIG + "    secret_access_key = leaked\n")
    with pytest.raises(InvalidRemote) as raised:
        configured_remote(repo)
    assert str(raised.value) == (
        f"{repo / '.dvc/config'} holds secret_access_key of remote 'storage', a file git commits: "
        "remove it (`dvc remote modify --unset storage secret_access_key`) and keep keys in the "
        "environment or .dvc/config.local (`mlproj remote add ... --local-credentials`)."
    )


def test_no_remote_says_how_to_add_one(repo: Path) -> None:
    with pytest.raises(InvalidRemote) as raised:
        configured_remote(repo)
    assert str(raised.value) == (
        f"No DVC remote (default) in {repo / '.dvc/config'} (configured: none): add one with "
        "`mlproj remote add s3://BUCKET/PREFIX`."
    )


def test_adding_again_replaces_the_remote_and_unchecked_writes_without_a_server(
    repo: Path, no_keys: None
) -> None:
    add_remote(repo, parse_remote("s3://old-bucket", "http://old:1"), check=False)
    add_remote(repo, REMOTE, check=False)
    assert (repo / ".dvc" / "config").read_text() == CONFIG
