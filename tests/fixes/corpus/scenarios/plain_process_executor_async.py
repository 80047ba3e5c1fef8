"""Offload a CPU-bound step to a process pool from async code; the pool is never shut down."""
# corpus: shape = "plain"
# corpus: tags = ["async", "executor", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ProcessPoolExecutor"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "pending work"

import asyncio
import concurrent.futures
import multiprocessing


async def total_length(words):
    loop = asyncio.get_running_loop()
    pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    lengths = await loop.run_in_executor(pool, sum, [len(w) for w in words])
    return lengths


async def run(workdir, server_addr):
    return await total_length(["lease", "lock"])
