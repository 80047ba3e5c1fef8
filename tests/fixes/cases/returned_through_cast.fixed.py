import tempfile
import typing


def render(rows, spool):
    tmp = tempfile.NamedTemporaryFile("w+", dir=spool)
    try:
        for row in rows:
            tmp.write(row)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return typing.cast(typing.IO[str], tmp)


def check(rows, spool):
    with render(rows, spool):  # only for its errors
        pass
    return True
