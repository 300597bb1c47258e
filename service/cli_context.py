"""What the commands of ``ciberq`` share: the settings and, once needed, the store."""

import getpass
from typing import Any

import click

from . import config as settings
from .store import Store, open_store


class Context:
    """Settings and, on first use, the store, shared by the commands."""

    def __init__(self):
        self._settings: dict[str, Any] | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> dict[str, Any]:
        """The settings, read once."""
        if self._settings is None:
            self._settings = settings.load()
        return self._settings

    @property
    def store(self) -> Store:
        """The store, opened (and the embedded Redis leased) on first use."""
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store


pass_context = click.make_pass_decorator(Context, ensure=True)


def actor(by: str | None) -> str:
    """Who a command acts for, in the history and the audit log: --by, or cli:$USER."""
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
