"""Callback actions of the event buttons, shared by the modules of this feature that send and
those that answer them (browsing, registration, /my, outbox notices)."""

# Browsing and registration (browse.py, registration.py).
LIST = "ev.ls"  # page, kind, country
SHOW = "ev.show"  # event id
REGISTER = "ev.reg"  # event id
CHOOSE = "ev.ch"  # question position, choice index
# The person's own registrations (my_registrations.py).
MY = "my.ls"
MY_CARD = "my.card"  # registration id
CALENDAR = "my.ics"  # registration id
CODE = "my.code"  # registration id
CANCEL = "my.cancel"  # registration id
CANCEL_SURE = "my.cancel2"  # registration id
ACCEPT_OFFER = "my.accept"  # registration id
DECLINE_OFFER = "my.decline"  # registration id
STILL_COMING = "my.coming"  # registration id
CANNOT_COME = "my.cantcome"  # registration id
