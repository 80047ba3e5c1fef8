import subprocess
import sys


def run_child():
    with subprocess.Popen([sys.executable, "-c", "print(1)"], stdout=subprocess.PIPE) as proc:
        out = proc.stdout.read()
        proc.stdout.close()
    return out
