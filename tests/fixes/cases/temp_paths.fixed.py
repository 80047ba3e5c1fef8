import os
import subprocess
import sys
import tempfile


def rendered_size(settings, scratch):
    with tempfile.NamedTemporaryFile("w", suffix=".ini", dir=scratch, encoding="utf-8") as tmp:
        for key, value in settings.items():
            tmp.write(f"{key} = {value}\n")
        tmp.flush()
        return os.path.getsize(tmp.name)


def count_words(text, scratch):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=scratch, encoding="utf-8") as tmp:
        tmp.write(text)
        tmp.flush()
        proc = subprocess.run([sys.executable, "-c", "pass", tmp.name], check=True)
    return proc.returncode


def unpack(names, where):
    scratch = tempfile.TemporaryDirectory(dir=where)
    with scratch:
        for name in names:
            with open(os.path.join(scratch.name, name), "w", encoding="utf-8") as out:
                out.write(name)
        return sorted(os.listdir(scratch.name))
