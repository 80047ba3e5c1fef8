import contextlib
import logging


def process_batch(log_path, items):
    with contextlib.closing(logging.FileHandler(log_path, encoding="utf-8")) as handler:
        log = logging.getLogger("batch")
        log.addHandler(handler)
        try:
            for item in items:
                log.warning("processing %s", item)
        finally:
            log.removeHandler(handler)
    return len(items)
