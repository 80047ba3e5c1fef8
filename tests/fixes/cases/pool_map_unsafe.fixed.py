from multiprocessing.pool import ThreadPool


def lengths(words):
    with ThreadPool(2) as pool:
        return pool.map(len, words)
