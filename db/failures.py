"""What a log line may say about an exception: its type and where it happened, never its message.

A database error's message quotes the statement's parameters (names, message text, answers) and
PostgreSQL's detail quotes the clashing values; a traceback ends in that message. So logs carry
the type and the code location, and the row or update id the caller adds.
"""

import traceback

FRAMES_SHOWN = 6


def describe_failure(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(
        f"{frame.name}@{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
        for frame in reversed(frames[-FRAMES_SHOWN:])
    )
    return f"{type(error).__qualname__} at {where or 'unknown location'}"
