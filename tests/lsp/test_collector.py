"""Full garbage collections wait for a pause in the analyses (lsp/collector.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref

from unleak.lsp.collector import IdleCollector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_objects_alive_after_an_analysis_are_out_of_the_collectors_reach_until_a_pause() -> None:
    async def scenario() -> None:
        collector = IdleCollector(idle=0.2)
        try:
            node = _Node()
            gone = weakref.ref(node)
            collector.analysed()  # node is frozen with everything alive
            assert gc.get_freeze_count() > 0
            del node
            gc.collect()  # a collection while typing does not scan frozen objects
            assert gone() is not None
            garbage = weakref.ref(_Node())  # a cycle the next analysis leaves behind
            collector.analysed()  # another analysis: the pause starts again
            assert garbage() is None  # freed before what stays is frozen
            await asyncio.sleep(0.1)
            assert collector.collections == 0
            await asyncio.sleep(0.3)
            assert collector.collections == 1
            assert gone() is None  # collected once the analyses paused
        finally:
            collector.stop()
        assert gc.get_freeze_count() == 0

    asyncio.run(scenario())
