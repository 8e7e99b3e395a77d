"""db.group_commit: requests arriving together share a batch, one bad request fails only
itself, and a request given up on is not written."""

import asyncio
from collections.abc import Sequence

import pytest

from db.group_commit import GroupCommit


class Recorder:
    def __init__(self, *, refuse: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.refuse = refuse
        self.release = asyncio.Event()
        self.release.set()

    async def write(self, requests: Sequence[int]) -> list[int]:
        self.batches.append(list(requests))
        await self.release.wait()
        if self.refuse in requests:
            raise ValueError(f"refused {self.refuse}")
        return [request * 10 for request in requests]


async def test_requests_made_together_share_one_batch_and_keep_their_order() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.write)
    assert await asyncio.gather(*(commit.submit(n) for n in range(5))) == [0, 10, 20, 30, 40]
    assert recorder.batches == [[0, 1, 2, 3, 4]]


async def test_requests_arriving_while_a_batch_is_written_form_the_next() -> None:
    recorder = Recorder()
    recorder.release.clear()
    commit = GroupCommit(recorder.write)
    first = asyncio.ensure_future(commit.submit(1))
    await asyncio.sleep(0.01)
    later = [asyncio.ensure_future(commit.submit(n)) for n in (2, 3)]
    await asyncio.sleep(0.01)
    recorder.release.set()
    assert await asyncio.gather(first, *later) == [10, 20, 30]
    assert recorder.batches == [[1], [2, 3]]


async def test_a_failing_request_fails_alone_after_its_batch_is_retried_one_by_one() -> None:
    recorder = Recorder(refuse=2)
    commit = GroupCommit(recorder.write)
    results = await asyncio.gather(*(commit.submit(n) for n in (1, 2, 3)), return_exceptions=True)
    assert results[0] == 10 and results[2] == 30
    assert isinstance(results[1], ValueError)
    assert recorder.batches == [[1, 2, 3], [1], [2], [3]]


async def test_a_request_given_up_before_its_batch_is_not_written() -> None:
    recorder = Recorder()
    recorder.release.clear()
    commit = GroupCommit(recorder.write)
    first = asyncio.ensure_future(commit.submit(1))
    await asyncio.sleep(0.01)
    abandoned = asyncio.ensure_future(commit.submit(2))
    kept = asyncio.ensure_future(commit.submit(3))
    await asyncio.sleep(0.01)
    abandoned.cancel()
    recorder.release.set()
    assert await first == 10 and await kept == 30
    with pytest.raises(asyncio.CancelledError):
        await abandoned
    assert recorder.batches == [[1], [3]]


async def test_batches_are_capped() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.write, max_batch=2)
    await asyncio.gather(*(commit.submit(n) for n in range(5)))
    assert recorder.batches == [[0, 1], [2, 3], [4]]
