"""Callback actions of the survey buttons, shared by this feature's modules: the organizer's
survey screen (setup.py), answering (answer.py) and results (results.py)."""

# Results and exports of one survey (results.py), shown on the survey screen and by /surveys.
RESULTS = "sv.res"  # survey id
EXPORT = "sv.exp"  # survey id, format
# An administrator's set-up screen of a partnership-wide survey (setup.py), from its results.
OPEN_PARTNERSHIP_SURVEY = "sv.setup.wide"  # survey id
# /surveys (results.py) offers administrators a new partnership-wide survey, from an XLSForm file
# the set-up screen (setup.py) asks for.
NEW_PARTNERSHIP_SURVEY = "sv.setup.new"

# Answering (answer.py): each button names its survey and question, so a stale one is told
# apart from the question the person is at.
CHOOSE = "sv.ch"  # survey id, question id, option index
RATE = "sv.rt"  # survey id, question id, point
SELECT = "sv.sel"  # survey id, question id, option index
UNSELECT = "sv.uns"  # survey id, question id, option index
DONE = "sv.done"  # survey id, question id
SKIP = "sv.skip"  # survey id, question id
BACK = "sv.back"  # survey id, question id (the one the person is at)
NEXT = "sv.next"  # survey id, question id of a note
CHANGE = "sv.chg"  # survey id, question id (from the summary)
SUBMIT = "sv.sub"  # survey id
