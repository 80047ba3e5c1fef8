"""A cache that hands out temporary copies of blobs; the caller owns the copy."""
# corpus: shape = "escapes"
# corpus: tags = ["method", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import tempfile


class BlobCache:
    def __init__(self, spool_dir):
        self.spool_dir = spool_dir
        self.blobs = {"logo": b"\x89PNG", "icon": None}

    def checkout(self, key):
        copy = tempfile.TemporaryFile(dir=self.spool_dir)
        copy.write(self.blobs[key])
        copy.seek(0)
        return copy


def run(workdir, server_addr):
    cache = BlobCache(workdir)
    with cache.checkout("logo") as f:
        result = {"logo": f.read().hex()}
    for key in ["icon", "banner"]:
        try:
            cache.checkout(key)
        except (TypeError, KeyError) as exc:
            result[key] = type(exc).__name__
    return result
