"""People: profiles, consent, roles, data export and erasure. No Telegram here."""
