"""What `with` really does on each resource, for the fixes that write one.

A fix that opens a resource in a `with` block is only right when the object supports the
protocol, when `__enter__` returns the object itself (the code goes on using the name bound by
`as`), when `__exit__` does what the code's own release did and no more (it does not wait for
a child process or kill a pool's work), and when the object exists before `await` returns.
This is data, looked up by the factory's qualified name first and by resource type after.
"""

from __future__ import annotations

from dataclasses import dataclass

from unleak.catalogue import ResourceType


@dataclass(frozen=True)
class WithSemantics:
    supports_with: bool = True  # has __enter__/__exit__ (or __aenter__/__aexit__)
    enter_returns_self: bool = True  # `as name` binds the object itself
    exit_waits: str = ""  # __exit__ waits or kills: any fix that adds it is unsafe, saying so
    awaited: bool = False  # created by `await factory(...)`: `async with await factory(...)`
    async_exit: bool = False  # its context manager is asynchronous
    closing: bool = False  # no `with`, but close() releases it: `with contextlib.closing(...)`
    exit_releases: frozenset[str] = frozenset({"close"})  # releases __exit__ also does


_CLOSE = frozenset({"close"})

# By factory (qualified name). Types not listed here take their `ResourceType` flags.
BY_FACTORY: dict[str, WithSemantics] = {
    # No __enter__: closing() calls the close() that releases them.
    "logging.FileHandler": WithSemantics(supports_with=False, closing=True),
    "poplib.POP3": WithSemantics(supports_with=False, closing=True),
    "poplib.POP3_SSL": WithSemantics(supports_with=False, closing=True),
    "http.client.HTTPConnection": WithSemantics(supports_with=False, closing=True),
    "http.client.HTTPSConnection": WithSemantics(supports_with=False, closing=True),
    # `with` on a connection ends the transaction; only closing() closes it.
    "sqlite3.connect": WithSemantics(supports_with=False, closing=True),
    "sqlite3.dbapi2.connect": WithSemantics(supports_with=False, closing=True),
    # __enter__ returns the directory's path (a str), not the object.
    "tempfile.TemporaryDirectory": WithSemantics(
        enter_returns_self=False, exit_releases=frozenset({"cleanup"})
    ),
    # A coroutine: the server exists once awaited; __aexit__ closes it and waits until closed.
    "asyncio.start_server": WithSemantics(
        awaited=True, async_exit=True, exit_releases=frozenset({"close", "wait_closed"})
    ),
    "asyncio.start_unix_server": WithSemantics(
        awaited=True, async_exit=True, exit_releases=frozenset({"close", "wait_closed"})
    ),
    # __exit__ sends QUIT/LOGOUT, as the code's own release did.
    "smtplib.SMTP": WithSemantics(exit_releases=frozenset({"quit", "close"})),
    "smtplib.SMTP_SSL": WithSemantics(exit_releases=frozenset({"quit", "close"})),
    "ftplib.FTP": WithSemantics(exit_releases=frozenset({"quit", "close"})),
    "ftplib.FTP_TLS": WithSemantics(exit_releases=frozenset({"quit", "close"})),
    "imaplib.IMAP4": WithSemantics(exit_releases=frozenset({"logout"})),
    "imaplib.IMAP4_SSL": WithSemantics(exit_releases=frozenset({"logout"})),
}


def with_semantics(factory: str | None, rtype: ResourceType) -> WithSemantics:
    """How `with` behaves on what ``factory`` (a qualified name, if known) returns."""
    known = BY_FACTORY.get(factory or "")
    if known is not None:
        return known if not rtype.exit_waits or known.exit_waits else _waits(known, rtype)
    return WithSemantics(
        supports_with=rtype.supports_with and rtype.with_releases,
        exit_waits=rtype.exit_waits,
        async_exit=rtype.async_release,
        exit_releases=rtype.release if rtype.exit_waits or rtype.async_release else _CLOSE,
    )


def _waits(known: WithSemantics, rtype: ResourceType) -> WithSemantics:
    return WithSemantics(
        known.supports_with,
        known.enter_returns_self,
        rtype.exit_waits,
        known.awaited,
        known.async_exit,
        known.closing,
        known.exit_releases,
    )
