def header_and_body(head_path, body_path):
    with open(head_path) as log:
        header = log.readline()
    with open(body_path) as log:
        body = log.read()
    return header, body
