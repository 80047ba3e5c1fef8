"""A script that starts a helper and prints its greeting, never waiting for it."""
# corpus: shape = "plain"
# corpus: tags = ["main", "subprocess"]
# corpus: leaks_before = true
# corpus: leak = ["child:"]
# corpus: safe_fix = "none"
# corpus: unsafe_note = "waits for the process"
# corpus: run = "script"

import subprocess
import sys

HELPER = "print('helper ready')"

if __name__ == "__main__":
    helper = subprocess.Popen([sys.executable, "-c", HELPER], stdout=subprocess.PIPE, text=True)
    greeting = helper.stdout.read().strip()
    helper.stdout.close()
    print("helper said:", greeting)
