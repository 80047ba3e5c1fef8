import asyncio
import concurrent.futures
import multiprocessing


def doubled(numbers):
    pool = multiprocessing.get_context("fork").Pool(2)
    return pool.map(abs, numbers)


def squared(numbers):
    ctx = multiprocessing.get_context("spawn")
    pool = ctx.Pool(2)
    return pool.starmap(pow, [(n, 2) for n in numbers])


async def total_length(words):
    loop = asyncio.get_running_loop()
    executor = concurrent.futures.ThreadPoolExecutor(1)
    lengths = await loop.run_in_executor(executor, sum, [len(w) for w in words])
    return lengths
