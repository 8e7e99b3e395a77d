"""The outbox kind every feature may use: ``plain``, a message final when queued. Features
export the ``RENDERERS`` of their own kinds; ``handlers.app.outbox_renderers`` collects them.

Cut-offs (sends that fell due while the bot was down still go out after a restart, unless
their kind's cut-off says they no longer make sense):

* ``plain``: the optional ``expires_at`` in the payload (ISO 8601); none by default.
"""

from datetime import datetime

from handlers.runtime.sender import Outgoing, Renderer, RenderRequest, SkipSend


async def render_plain(request: RenderRequest) -> Outgoing:
    """A message whose text was final when queued (HTML, already escaped): operators' notices,
    tests and benchmarks. Payload: ``{"text": ..., "expires_at": optional ISO time}``."""
    expires_at = request.payload.get("expires_at")
    if expires_at and request.now >= datetime.fromisoformat(expires_at):
        raise SkipSend("expired before it could be sent")
    return Outgoing(text=str(request.payload["text"]))


RENDERERS: dict[str, Renderer] = {"plain": render_plain}
