"""Every kind of outbox message and the renderer that turns a row into what its recipient
sees, in their current language. Modules defining kinds export a ``RENDERERS`` dict; add
yours to ``all_renderers``."""

from delivery.sender import Outgoing, Renderer, RenderRequest


async def render_plain(request: RenderRequest) -> Outgoing:
    """A message whose text was final when queued (HTML, already escaped): operators' notices,
    tests and benchmarks."""
    return Outgoing(text=str(request.payload["text"]))


RENDERERS: dict[str, Renderer] = {"plain": render_plain}


def all_renderers() -> dict[str, Renderer]:
    return {**RENDERERS}
