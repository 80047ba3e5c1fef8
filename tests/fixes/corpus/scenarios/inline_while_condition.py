"""Work through a queue while the control file says "run"."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def drain(control, queue):
    done = []
    while open(control, encoding="utf-8").read().strip() == "run":
        done.append(queue.pop(0))
        if len(done) == 2:
            with open(control, "w", encoding="utf-8") as f:
                f.write("stop")
    return done


def run(workdir, server_addr):
    control = os.path.join(workdir, "control")
    with open(control, "w", encoding="utf-8") as f:
        f.write("run\n")
    return drain(control, ["a", "b", "c", "d"])
