"""Post-event and partnership-wide surveys: definitions, XLSForm import and export, responses."""
