"""An index update cancelled by the server's shutdown ends quietly."""

from __future__ import annotations

import asyncio
from typing import Any

from unleak.lsp.indexing import Indexer


class Server:
    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}


def test_a_cancelled_update_is_neither_an_error_nor_a_refresh() -> None:
    async def run() -> None:
        indexer = Indexer(Server())  # type: ignore[arg-type]
        try:
            refreshed: list[bool] = []
            indexer.refresh = lambda: refreshed.append(True)  # type: ignore[method-assign]
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            future.cancel()
            indexer._after_update(future)  # raised CancelledError out of the loop's callback
            assert refreshed == []
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            done.set_result(True)
            indexer._after_update(done)
            assert refreshed == [True]
        finally:
            indexer.shutdown()

    asyncio.run(run())
