"""Hash files in a thread pool that is never shut down."""
# corpus: shape = "plain"
# corpus: tags = ["function", "executor"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ThreadPoolExecutor"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "pending work"

import concurrent.futures
import zlib


def checksums(blobs):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    futures = [pool.submit(zlib.crc32, blob) for blob in blobs]
    return [f.result() for f in futures]


def run(workdir, server_addr):
    return checksums([b"a", b"bb", b"ccc"])
