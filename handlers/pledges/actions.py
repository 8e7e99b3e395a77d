"""Callback actions of the pledge buttons, shared by this feature's modules: the company screen
(company.py), the pledge wizard, review (review.py), progress reports (report.py) and the public
registry (registry.py)."""

# A member starts or continues the progress report of a reporting period (report.py), from the
# company screen and from the yearly reminder.
START_REPORT = "pl.rep"  # reporting period id
# The company's public card in the registry (registry.py), from the company screen.
COMPANY_CARD = "pl.card"  # company id
