"""The realistic mix of scripts/loadtest: officers and office staff, each with a logged-in session made by
`manage.py loadtest_data` (the file named by LOADTEST_SESSIONS). About 5% of requests are writes.

FastHttpUser (geventhttpclient), not HttpUser (requests): locust shares the server's two cores, and requests
costs several times the CPU per request."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import uuid
from http.cookiejar import Cookie

from locust import FastHttpUser, between, task

with open(os.environ["LOADTEST_SESSIONS"], encoding="utf-8") as source:
    DATA = json.load(source)
YEAR = DATA["year"]
LEVELS = {"city": "general", "province": "general", "state": "general"}
# Think time between a simulated user's requests: 1-3 s by default, so 100 users make at most 50 requests a second.
WAIT = [float(bound) for bound in os.environ.get("LOADTEST_WAIT", "1-3").split("-")]


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(0, name, value, None, False, host, False, False, "/", True, False, None, True, None, None, {})


class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)
    role = ""

    def on_start(self) -> None:
        self.account = random.choice(DATA[self.role])
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.account["session"], self.host.split("//")[1].split(":")[0]))
        self.client.get("/", name="home")  # also sets the CSRF cookie the forms need

    def post(self, url: str, data: dict, name: str) -> None:
        csrf = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        headers = {"X-CSRFToken": csrf, "Referer": self.host + url}
        # Saved: a redirect. A refused adoption (the item already has one at that level) is a page with the error
        # (400), not a failure; a form shown again (200: a warning or an error) is one.
        with self.client.post(url, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code in (302, 400):
                response.success()
            else:
                response.failure(f"form shown again ({response.status_code})")


class Officer(Visitor):
    weight = 4
    role = "officer"

    @task(4)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def bulletin(self) -> None:
        self.client.get(f"/bulletins/{YEAR}-03/", name="bulletin")

    @task(3)
    def scorecard(self) -> None:
        self.client.get(f"/scoring/scorecard/{self.account['unit']}/{YEAR}/?through=12", name="scorecard")

    @task(2)
    def own_rank(self) -> None:
        self.client.get(f"/scoring/?year={YEAR}&through=12", name="ranking (officer)")

    @task(2)
    def items(self) -> None:
        self.client.get("/items/", name="items (officer)")

    @task(1)
    def report(self) -> None:
        # Each report its own title, as an officer's are: a repeated one would stop at the duplicate warning.
        self.post("/items/new/", {"title": f"压测信息{uuid.uuid4().hex[:12]}", "info_type": "general", "body": "压测",
                                  "form_token": str(uuid.uuid4())}, name="report an item")


class Staff(Visitor):
    weight = 1
    role = "staff"

    @task(3)
    def ranking(self) -> None:
        self.client.get(f"/scoring/?year={YEAR}&through=12", name="ranking (all units)")

    @task(3)
    def items(self) -> None:
        page = random.randint(1, 200)
        self.client.get(f"/items/?month={YEAR}-0{random.randint(1, 9)}&page={page}", name="items (staff, filtered)")

    @task(1)
    def requests(self) -> None:
        self.client.get("/items/requests/", name="requests")

    @task(1)
    def adoption(self) -> None:
        item = random.choice(DATA["items"])
        level = random.choice(list(LEVELS))
        self.post(f"/items/{item}/adoptions/new/", {
            "adoption-level": level, "adoption-adoption_type": LEVELS[level],
            "adoption-adopted_on": dt.date(YEAR, 12, 31).isoformat(), "adoption-carrier": "压测", "adoption-issue_no": "1",
            "adoption-form_token": str(uuid.uuid4()),
        }, name="record an adoption")
