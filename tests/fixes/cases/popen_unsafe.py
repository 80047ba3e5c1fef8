import subprocess
import sys


def run_child():
    proc = subprocess.Popen([sys.executable, "-c", "print(1)"], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    proc.stdout.close()
    return out
