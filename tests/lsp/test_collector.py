"""Full garbage collections wait for a pause in the analyses (lsp/collector.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref

from unleak.lsp.collector import IdleCollector, resident


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_objects_alive_after_an_analysis_are_out_of_the_collectors_reach_until_a_pause() -> None:
    async def scenario() -> None:
        # A pause of 0.2 s whatever the collections take (a test process's first collection
        # may be slow: see the test below for the pause that grows).
        collector = IdleCollector(idle=0.2, per_second=0.0)
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


def test_the_pause_grows_with_what_the_last_collection_took() -> None:
    collector = IdleCollector(idle=0.05, per_second=1.5)
    collector.took = 0.1  # a quick collection: the usual pause
    assert collector.pause == 0.05
    collector.took = 0.4  # a slow one: 1.5 s of pause per second it took
    assert abs(collector.pause - 0.6) < 1e-9

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        try:
            collector.took = 0.0
            collector.analysed()
            assert collector._timer is not None
            # The first analysis's collection counts as one (it scanned all then alive).
            assert collector.took > 0
            assert abs(collector._timer.when() - loop.time() - collector.pause) < 0.05
            collector.took = 0.4
            collector.analysed()
            assert collector.pause >= 0.6
            assert abs(collector._timer.when() - loop.time() - collector.pause) < 0.05
            collector.collect()  # what it took is measured again
            assert collector.collections == 1 and collector.took > 0
        finally:
            collector.stop()

    asyncio.run(scenario())


def test_an_analysis_made_with_the_collector_off_is_frozen_without_a_collection() -> None:
    async def scenario() -> None:
        collector = IdleCollector(idle=0.05, per_second=0.0, large=20_000)
        gc.disable()  # as the server opens a large document
        try:
            made = [_Node() for _ in range(30_000)]
            gone = weakref.ref(made[0])
            del made
            collector.made_unscanned()
        finally:
            gc.enable()
        try:
            gc.collect()  # frozen: not scanned
            assert gone() is not None
            collector.analysed()
            assert gone() is not None
            # Idle, more than `large` frozen, and the memory as it was: no collection.
            await asyncio.sleep(0.2)
            assert collector.collections == 0 or resident() is None
            # A document closed: everything is collected once idle, whatever the memory.
            collector.released()
            await asyncio.sleep(0.2)
            assert collector.collections == 1
            assert gone() is None
            # The memory grew: so too.
            collector.baseline = 1
            collector.collect()
            assert collector.collections == 2
        finally:
            collector.stop()

    asyncio.run(scenario())


def test_what_the_start_made_is_frozen_without_a_collection() -> None:
    async def scenario() -> None:
        collector = IdleCollector(idle=0.2, per_second=0.0)
        try:
            made = weakref.ref(_Node())  # garbage from the start: left for the first pause
            collector.started()
            assert gc.get_freeze_count() > 0
            assert made() is not None
            collector.analysed()  # the first document's collection does not scan it
            assert made() is not None
            await asyncio.sleep(0.4)
            assert collector.collections == 1
            assert made() is None
        finally:
            collector.stop()

    asyncio.run(scenario())


def test_a_documents_first_analysis_collects_the_young_generations_alone() -> None:
    async def scenario() -> None:
        collector = IdleCollector(idle=0.2, per_second=0.0)
        try:
            node = _Node()
            old = weakref.ref(node)
            gc.collect(1)
            gc.collect(1)  # it survived two collections: in the oldest generation
            del node
            young = weakref.ref(_Node())
            # What an opening made is nearly all alive (its trees): scanning it found about
            # ten objects to free, and took as long as the first edit's analysis or longer.
            collector.analysed(opened=True)
            assert young() is None
            assert old() is not None  # frozen, freed at the pause
            await asyncio.sleep(0.4)
            assert collector.collections == 1
            assert old() is None
        finally:
            collector.stop()

    asyncio.run(scenario())
