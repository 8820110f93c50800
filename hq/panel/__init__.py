"""The outside authorities' panel at headquarters (issue 15): the service core (service.py), API
keys (keys.py), the central facts the answer engine reads (central.py) and the JSON API (api.py).
The web pages (web.py, pages.py, templates/, static/), its staff accounts (accounts.py) and
sessions (sessions.py) build on service.py."""

# Central tracking codes: 9999 + serial + Damm digit. 9900–9999 is never a branch code
# (hq/branches.py), so no branch's tracking code can collide; hq/apply.py refuses a branch record
# that claims the prefix, and panel_answer's CHECK keeps headquarters' own within it.
PANEL_PREFIX = "9999"
