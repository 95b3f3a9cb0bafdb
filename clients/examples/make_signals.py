#!/usr/bin/python3
"""Writes a sample signals CSV for the accounts in accounts.csv: a year of
weekly usage, touchpoints, tickets and survey answers ending today. Healthy
and unhealthy patterns are mixed so `retainctl at-risk` has something to say.

    /usr/bin/python3 clients/examples/make_signals.py > /tmp/signals.csv
"""
import csv
import datetime as dt
import random
import sys

random.seed(7)
today = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
# account: (seats, usage share at start, at end, days between touchpoints, nps)
profiles = {
    "northwind": (400, 0.85, 0.9, 10, 9),
    "contoso": (120, 0.7, 0.6, 25, 8),
    "fabrikam": (30, 0.6, 0.15, 70, 3),
    "tailspin": (10, 0.5, 0.2, 90, 5),
    "wingtip": (90, 0.8, 0.35, 45, 4),
}
cols = ["signal_id", "account", "occur_time", "kind", "active_users", "channel",
        "exec_involved", "csm", "ticket_id", "status", "severity", "survey_kind",
        "score", "comment"]
w = csv.DictWriter(sys.stdout, fieldnames=cols)
w.writeheader()
for account, (seats, start, end, cadence, nps) in profiles.items():
    for day in range(365, 0, -1):
        t = today - dt.timedelta(days=day)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        share = start + (end - start) * (365 - day) / 365
        # daily usage rows make the file big enough to watch the progress bar
        w.writerow({"signal_id": f"{account}-usage-{day}", "account": account,
                    "occur_time": stamp, "kind": "usage",
                    "active_users": max(0, int(seats * share * random.uniform(0.9, 1.1)))})
        if day % cadence == 0:
            w.writerow({"signal_id": f"{account}-touch-{day}", "account": account,
                        "occur_time": stamp, "kind": "touchpoint", "channel": "meeting",
                        "exec_involved": "yes" if day % (cadence * 3) == 0 else "no",
                        "csm": "csm@example.com"})
        if day % 60 == 0:
            w.writerow({"signal_id": f"{account}-nps-{day}", "account": account,
                        "occur_time": stamp, "kind": "survey", "survey_kind": "nps",
                        "score": nps})
        if account in ("fabrikam", "wingtip") and day % 30 == 0:
            w.writerow({"signal_id": f"{account}-ticket-{day}", "account": account,
                        "occur_time": stamp, "kind": "ticket", "ticket_id": f"T-{day}",
                        "status": "opened", "severity": "high"})
