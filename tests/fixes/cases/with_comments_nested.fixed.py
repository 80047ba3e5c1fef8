import sqlite3


class Repo:
    @staticmethod
    def counts(paths, word):
        totals = {}
        for path in paths:
            if path.endswith(".txt"):
                with open(path, encoding="utf-8") as f:
                    # count lines that mention the word
                    n = 0
                    for line in f:
                        if word in line:  # case-sensitive
                            n += 1
                    totals[path] = n
        return totals
