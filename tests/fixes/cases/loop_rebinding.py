def total(paths):
    n = 0
    for p in paths:
        f = open(p)
        n += len(f.read())
    f.close()
    return n
