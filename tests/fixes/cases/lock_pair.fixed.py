import threading


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.values = []

    def add(self, value):
        with self._lock:
            self.values.append(int(value))
