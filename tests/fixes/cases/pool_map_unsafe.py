from multiprocessing.pool import ThreadPool


def lengths(words):
    pool = ThreadPool(2)
    return pool.map(len, words)
