"""Post-event surveys in the chat: organizers set them up and read results, participants answer."""
