"""Insert a reading; invalid readings raise before the connection is closed."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


def record(db, sensor, value):
    conn = sqlite3.connect(db)
    conn.execute("create table if not exists readings (sensor text, value real)")
    if value < -273.15:
        raise ValueError(f"{sensor}: impossible temperature {value}")
    conn.execute("insert into readings values (?, ?)", (sensor, value))
    conn.commit()
    count = conn.execute("select count(*) from readings").fetchone()[0]
    conn.close()
    return count


def run(workdir, server_addr):
    db = os.path.join(workdir, "sensors.db")
    result = {"count": record(db, "t1", 21.5)}
    try:
        record(db, "t2", -300)
    except ValueError as exc:
        result["error"] = str(exc)
    return result
