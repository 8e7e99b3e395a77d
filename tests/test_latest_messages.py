from handlers.kit.latest_messages import LatestMessages


def test_the_newest_message_of_a_chat_is_the_highest_id_seen() -> None:
    latest = LatestMessages()
    latest.note(1, 10)
    latest.note(1, 12)
    latest.note(1, 11)  # a late result of an earlier call
    assert latest.is_newest(1, 12)
    assert not latest.is_newest(1, 11)
    assert not latest.is_newest(2, 12)


def test_the_least_recently_active_chat_is_forgotten_first() -> None:
    latest = LatestMessages(capacity=2)
    latest.note(1, 5)
    latest.note(2, 7)
    latest.note(1, 6)
    latest.note(3, 9)
    assert latest.is_newest(1, 6) and latest.is_newest(3, 9)
    assert not latest.is_newest(2, 7)
