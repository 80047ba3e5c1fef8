import logging


def process_batch(log_path, items):
    handler = logging.FileHandler(log_path, encoding="utf-8")
    log = logging.getLogger("batch")
    log.addHandler(handler)
    try:
        for item in items:
            log.warning("processing %s", item)
    finally:
        log.removeHandler(handler)
    return len(items)
