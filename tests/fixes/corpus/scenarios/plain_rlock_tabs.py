"""A re-entrant lock around an account balance (indented with tabs)."""
# corpus: shape = "plain"
# corpus: tags = ["function", "lock", "tabs"]
# corpus: leaks_before = true
# corpus: leak = ["lock:_balance_lock"]
# corpus: safe_fix = "expected"

import threading

_balance_lock = threading.RLock()
_balance = [100]


def withdraw(amount):
	_balance_lock.acquire()
	if amount > _balance[0]:
		raise ValueError("insufficient funds")
	_balance[0] -= amount
	_balance_lock.release()
	return _balance[0]


def run(workdir, server_addr):
	result = {"after": withdraw(30)}
	try:
		withdraw(500)
	except ValueError as exc:
		result["error"] = str(exc)
	return result
