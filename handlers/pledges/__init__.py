"""Business pledges in the chat: companies and their pledges, review, progress reports, registry."""
