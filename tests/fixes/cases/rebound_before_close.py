def header_and_body(head_path, body_path):
    log = open(head_path)
    header = log.readline()
    log = open(body_path)
    body = log.read()
    log.close()
    return header, body
