"""An example dialer for Call Campaigns: the README's protocol as code.

Standard library only. A predictive dialer runs one ``Line`` per telephone
line: it asks for the next number (reserved to the dialer), dials it, hands
an answered call to a ready agent (their call screen opens over Odoo's bus)
and reports every call with the PBX's id, so that a report sent again after a
lost response is harmless. Records it could not send at once (the PBX's
late hang-up records) go in one end-of-shift file::

    rpc = OdooRpc("https://odoo.example.com", "db", "dialer", API_KEY)
    line = Line(rpc, campaign_ids=[7], pbx=my_pbx, agents=my_ready_agents)
    while line.dial_one():
        pass
    rpc.call(MEMBER, "register_call_outcomes", line.late_reports)

``bench/bench_dialer.py`` runs it with a simulated PBX and agents against
two Odoo servers.
"""

import json
import time
import urllib.request
from dataclasses import dataclass, field

MEMBER = "call.campaign.member"


class OdooError(Exception):
    """A refusal of Odoo, with its stable key (``not_ready``, ``conflict``,
    …) read from the answer, never from the translated message."""

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key


class OdooRpc:
    """JSON-RPC with an API key; counts its round trips and times them."""

    def __init__(self, url, db, login, api_key, timeout=60):
        self.url = url.rstrip("/") + "/jsonrpc"
        self.db, self.api_key, self.timeout = db, api_key, timeout
        self.round_trips = 0
        self.latencies = {}
        self.uid = self._post("common", "login", [db, login, api_key])
        if not self.uid:
            raise OdooError(f"{login}: wrong login or API key", "access_denied")

    def call(self, model, method, *args, **kwargs):
        start = time.perf_counter()
        result = self._post(
            "object",
            "execute_kw",
            [self.db, self.uid, self.api_key, model, method, list(args), kwargs],
        )
        self.latencies.setdefault(method, []).append(time.perf_counter() - start)
        return result

    def _post(self, service, method, args):
        payload = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "id": self.round_trips,
                "params": {"service": service, "method": method, "args": args},
            }
        ).encode()
        request = urllib.request.Request(
            self.url, payload, {"Content-Type": "application/json"}
        )
        self.round_trips += 1
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise OdooError(
                data.get("message") or answer["error"].get("message"),
                (data.get("context") or {}).get("error_key"),
            )
        return answer["result"]


@dataclass
class DialResult:
    """What the PBX says of a call: its id, outcome and durations."""

    call_uid: str
    outcome: str  # answered, busy, no_answer, voicemail, failed, invalid_number
    ring_seconds: int = 0
    talk_seconds: int = 0
    recording_url: str = None


@dataclass
class Line:
    """One telephone line of a predictive dialer.

    ``pbx.dial(number)`` returns a ``DialResult``; ``agents.take()`` a ready
    agent's user id or None; ``agents.connect(agent_id, member_id,
    dial_result)`` puts the live call through to the agent (who logs the
    result on the call screen) and returns an event set once they have.
    ``late(dial_result)`` says whether the PBX's hang-up record of this call
    comes late (after the agent's result, or in the end-of-shift file);
    ``retry(dial_result)`` whether the answer to the report is lost (the
    dialer sends it again)."""

    rpc: OdooRpc
    campaign_ids: list
    pbx: object
    agents: object
    late: object = staticmethod(lambda dial_result: False)
    retry: object = staticmethod(lambda dial_result: False)
    # what the line held: [member id, given at, let go at (None: still
    # held, by the line or the agent it was handed to)], perf_counter times
    holds: list = field(default_factory=list)
    late_reports: list = field(default_factory=list)

    def dial_one(self):
        """Dial the next customer: their member id, False when nobody is due."""
        given = self.rpc.call(MEMBER, "next_number_for_agent", self.campaign_ids)
        member_id = given["member_id"]
        if not member_id:
            return False
        hold = [member_id, time.perf_counter(), None]
        self.holds.append(hold)
        result = self.pbx.dial(given["number"])
        if result.outcome == "answered":
            agent_id = self._hand_over(member_id, result.call_uid)
            if not agent_id:
                # the customer answered and nobody was there to take it
                result.outcome = "dropped"
            else:
                logged = self.agents.connect(agent_id, member_id, result)
                if self.late(result):
                    # the hang-up record comes after the agent's result
                    logged.wait()
                self._report(member_id, result)
                return member_id
        if self.late(result):
            self.late_reports.append(self._report_values(member_id, result))
            return member_id
        hold[2] = time.perf_counter()
        self._report(member_id, result)
        return member_id

    def _hand_over(self, member_id, call_uid):
        """The first ready agent who takes the call; None if nobody can."""
        while True:
            agent_id = self.agents.take()
            if not agent_id:
                return None
            try:
                self.rpc.call(MEMBER, "hand_over", [member_id], agent_id, call_uid)
                return agent_id
            except OdooError as error:
                if error.key != "not_ready":
                    raise
                # paused or logged out meanwhile: the next one

    def _report_values(self, member_id, result):
        return {
            "member_id": member_id,
            "outcome": result.outcome,
            "duration": result.talk_seconds,
            "ring_seconds": result.ring_seconds,
            "call_uid": result.call_uid,
            "recording_url": result.recording_url,
            "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        }

    def _report(self, member_id, result):
        """Report a call; sent again when the answer was lost: the same
        ``call_uid`` returns the same history and writes nothing."""
        kwargs = {
            "duration": result.talk_seconds,
            "ring_seconds": result.ring_seconds,
            "call_uid": result.call_uid,
        }
        if result.recording_url:
            kwargs["recording_url"] = result.recording_url
        ids = self.rpc.call(
            MEMBER, "register_call_outcome", [member_id], result.outcome, **kwargs
        )
        if self.retry(result):
            again = self.rpc.call(
                MEMBER, "register_call_outcome", [member_id], result.outcome, **kwargs
            )
            if again != ids:
                raise OdooError(f"{result.call_uid}: a retry wrote again", "doubled")
        return ids
