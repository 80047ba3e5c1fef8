def total(paths):
    n = 0
    for p in paths:
        with open(p) as f:
            n += len(f.read())
    f.close()
    return n
