"""A `finally` loop releasing what an earlier loop acquired, over the same iterable under the
same name, runs at least once when the first loop took something (pyrogram's dispatcher): the
end of the function no longer loses the lock; a loop over another list still does."""

from __future__ import annotations

import textwrap

from unleak.pipeline.api import check_source
from unleak.settings import Settings

SOURCE = textwrap.dedent(
    """
    class Dispatcher:
        async def add(self, handler):
            for lock in self.locks_list:
                await lock.acquire()
            try:
                self.groups.append(handler)
            finally:
                for lock in {released}:
                    lock.release()
    """
)


def _messages(released: str) -> list[str]:
    text = SOURCE.format(released=released)
    return [f.message for f in check_source(text, "d.py", Settings()) if f.code == "UL105"]


def test_same_list_released_at_the_end() -> None:
    messages = _messages("self.locks_list")
    assert not any("when the function ends" in m for m in messages), messages


def test_another_list_leaves_the_lock_held() -> None:
    messages = _messages("self.other_list")
    assert any("when the function ends" in m for m in messages), messages
