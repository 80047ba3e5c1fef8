import threading


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.values = []

    def add(self, value):
        self._lock.acquire()
        self.values.append(int(value))
        self._lock.release()
