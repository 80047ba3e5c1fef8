def first_line(path):
    with open(path) as f:  # the file to read
        line = f.readline()
        if not line:
            return None
    return line.strip()
