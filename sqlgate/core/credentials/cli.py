"""``sqlgate vault ...``: manage the local encrypted vault from the command line.

Secrets are read from a getpass prompt or from stdin (``--stdin``), never from argv, because
argv is visible to every user through ``ps`` and lands in shell history. The lead plugs
:func:`add_vault_parser` into the ``sqlgate`` argparse CLI; ``python -m
sqlgate.core.credentials.cli vault ...`` works on its own too.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from sqlgate.core.credentials.vault import (
    KEY_ENV,
    KEYRING_SERVICE,
    KEYRING_USER,
    Vault,
    generate_key,
    store_key_in_keyring,
)
from sqlgate.core.errors import CredentialError, MissingExtraError
from sqlgate.core.redact import redact

#: the exit status of every failed vault command, as for every other ``sqlgate`` error
ERROR_STATUS = 2


def add_vault_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``vault`` and its sub-commands to an argparse ``add_subparsers()`` object."""
    vault = subparsers.add_parser(
        "vault",
        help="manage the local encrypted credential vault",
        description="Store named credentials for URLs with credential=vault:NAME.",
    )
    vault.set_defaults(func=handle_vault, vault_command=None)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--path", help="vault file (default: $SQLGATE_VAULT or ~/.config/sqlgate/vault.json)"
    )
    sub = vault.add_subparsers(dest="vault_command", metavar="COMMAND")

    init = sub.add_parser("init", parents=[common], help="create a vault and a new key")
    init.add_argument("--keyring", action="store_true", help="store the key in the OS keyring")
    init.add_argument("--force", action="store_true", help="replace an existing vault")

    put = sub.add_parser("put", parents=[common], help="add or replace an entry")
    put.add_argument("name", help="entry name, used as credential=vault:NAME")
    put.add_argument("--user", help="username stored with the secret")
    put.add_argument(
        "--stdin", action="store_true", help="read the secret from stdin instead of a prompt"
    )

    sub.add_parser("list", parents=[common], help="list entry names and users (no secrets)")

    remove = sub.add_parser("remove", parents=[common], help="delete an entry")
    remove.add_argument("name")
    return vault


def _read_secret(args: argparse.Namespace, stdin: TextIO) -> str:
    if args.stdin:
        secret = stdin.read().rstrip("\r\n")
    else:
        if not stdin.isatty():  # getpass would fall back to echoing the secret
            raise CredentialError(
                "vault: no terminal to prompt for the secret on; fix: pipe it in with --stdin"
            )
        secret = getpass.getpass(f"Secret for {args.name}: ")
        if getpass.getpass("Repeat: ") != secret:
            raise CredentialError("vault: the two entries differ; nothing was stored")
    if not secret:
        raise CredentialError("vault: empty secret; nothing was stored")
    return secret


def _init(args: argparse.Namespace, out: TextIO) -> None:
    key = generate_key()
    vault = Vault(args.path, key=key)
    vault.check_replaceable(force=args.force)
    if args.keyring:  # first: a vault whose key could not be stored would be unusable
        store_key_in_keyring(key)
    vault.init(force=args.force)
    print(f"Created vault {vault.path}", file=out)
    if args.keyring:
        print(
            f"Its key is stored in the OS keyring (service {KEYRING_SERVICE!r}, "
            f"user {KEYRING_USER!r}).",
            file=out,
        )
        return
    print(
        "Its key is printed once below; keep it secret. Store it in ONE of:\n"
        f"  the OS keyring:   keyring set {KEYRING_SERVICE} {KEYRING_USER}   (paste the key)\n"
        f"  the environment:  export {KEY_ENV}='<key>'   (e.g. in a CI secret)\n"
        "or run `sqlgate vault init --keyring` to create a vault whose key goes there directly.\n"
        f"\n{key}",
        file=out,
    )


def handle_vault(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run a parsed ``vault`` command; returns the exit status (errors go to stderr)."""
    stdin, out, err = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        if args.vault_command == "init":
            _init(args, out)
        elif args.vault_command == "put":
            secret = _read_secret(args, stdin)
            Vault(args.path).put(args.name, secret, args.user)
            print(f"Stored {args.name!r}" + (f" (user {args.user})" if args.user else ""), file=out)
        elif args.vault_command == "list":
            entries = Vault(args.path).entries()
            if not entries:
                print("(vault is empty)", file=out)
            for entry in entries:
                user = entry.username or "-"
                print(f"{entry.name}\t{user}\t{entry.updated_at or ''}".rstrip(), file=out)
        elif args.vault_command == "remove":
            if not Vault(args.path).remove(args.name):
                print(f"sqlgate vault: no entry {args.name!r}", file=err)
                return ERROR_STATUS
            print(f"Removed {args.name!r}", file=out)
        else:
            print("sqlgate vault: choose a command: init, put, list, remove", file=err)
            return ERROR_STATUS
    except (CredentialError, MissingExtraError) as exc:
        print(f"sqlgate vault: error: {redact(exc)}", file=err)
        return ERROR_STATUS
    except OSError as exc:  # stdin closed, a terminal gone: never a traceback
        print(
            f"sqlgate vault: error: {type(exc).__name__}: {redact(exc.strerror or exc)}", file=err
        )
        return ERROR_STATUS
    except (KeyboardInterrupt, EOFError):
        print("sqlgate vault: interrupted; nothing was stored", file=err)
        return 130
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m sqlgate.core.credentials.cli vault ...``."""
    parser = argparse.ArgumentParser(prog="sqlgate")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_vault_parser(subparsers)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
