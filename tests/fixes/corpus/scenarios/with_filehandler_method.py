"""An import job that attaches a per-job log file to its logger."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["method", "logging"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:FileHandler"]
# corpus: safe_fix = "expected"

import logging
import os


class ImportJob:
    def __init__(self, workdir):
        self.workdir = workdir
        self.log = logging.getLogger("corpus.import")

    def run_job(self, name, rows):
        handler = logging.FileHandler(os.path.join(self.workdir, f"{name}.log"), encoding="utf-8")
        self.log.addHandler(handler)
        imported = 0
        for row in rows:
            if not row:
                self.log.removeHandler(handler)
                raise ValueError(f"{name}: empty row after {imported}")
            self.log.warning("row %s", row)
            imported += 1
        self.log.removeHandler(handler)
        handler.close()
        return imported


def run(workdir, server_addr):
    job = ImportJob(workdir)
    result = {"good": job.run_job("good", ["a", "b"])}
    try:
        job.run_job("bad", ["a", ""])
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
