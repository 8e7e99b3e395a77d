"""Deep-link payloads (``t.me/<bot>?start=<payload>``) as design.md section 2 defines them."""

from i18n import Translator


def describe_unknown_payload(t: Translator) -> str:
    # Events, check-in, surveys and pledges own the ev_, ci_, sv_ and pl_ prefixes; until one of
    # them recognizes a payload, every link lands here and the person still gets a normal /start.
    return t._(
        "I don't recognize that link: it may be mistyped or no longer valid. "
        "Here is where you can start instead."
    )
