def first_line(path):
    f = open(path)  # the file to read
    line = f.readline()
    if not line:
        return None
    f.close()
    return line.strip()
