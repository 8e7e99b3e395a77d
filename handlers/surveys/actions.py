"""Callback actions of the survey buttons, shared by this feature's modules: the organizer's
survey screen (setup.py), answering (answer.py) and results (results.py)."""

# Results and exports of one survey (results.py), shown on the survey screen and by /surveys.
RESULTS = "sv.res"  # survey id
EXPORT = "sv.exp"  # survey id, format
