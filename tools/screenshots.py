"""Take the README's screenshots from a running demo (``tools/demo.sh --detach``).

Drives Debian's headless Chromium over the DevTools protocol (PyPI
``websocket-client``): logs in over JSON-RPC, puts the session cookie in the
browser, opens each screen, waits for it and saves a PNG in docs/screenshots::

    python3 tools/screenshots.py --url http://localhost:8069 --db call_campaign_demo
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent


def jsonrpc(opener, url, params):
    request = urllib.request.Request(
        url,
        json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
        {"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=60) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(answer["error"]["data"]["message"])
    return answer["result"]


class Browser:
    def __init__(self, chromium, port=9333, size=(1440, 900)):
        self.profile = tempfile.mkdtemp(prefix="cc_shots_")
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={size[0]},{size[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _i in range(50):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/json", timeout=2
                ) as r:
                    pages = [t for t in json.loads(r.read()) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=60
        )
        self.counter = 0

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(
            json.dumps({"id": self.counter, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{selector} did not appear")

    def shot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="call_campaign_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--agent-login", default="agent")
    parser.add_argument("--agent-password", default="agent")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def login(user, password):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        jsonrpc(
            opener,
            f"{args.url}/web/session/authenticate",
            {"db": args.db, "login": user, "password": password},
        )
        session = next(cookie.value for cookie in jar if cookie.name == "session_id")
        return opener, session

    opener, admin_session = login(args.login, args.password)
    _agent_opener, agent_session = login(args.agent_login, args.agent_password)

    def call_kw(model, method, *call_args):
        return jsonrpc(
            opener,
            f"{args.url}/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(call_args), "kwargs": {}},
        )

    def xmlid(name):
        return call_kw("ir.model.data", "check_object_reference", *name.split("."))[1]

    # the demo's due calls become activities, as the hourly cron would do
    call_kw(
        "ir.cron",
        "method_direct_trigger",
        [xmlid("call_campaign.ir_cron_schedule_calls")],
    )
    campaign = xmlid("call_campaign.demo_campaign")
    customer = xmlid("call_campaign.demo_partner_10")
    member = xmlid("call_campaign.demo_member_6")
    # name, session, path, selector that says it is ready, element to click
    screens = [
        (
            "my_day",
            agent_session,
            "/odoo/action-call_campaign.call_campaign_member_action_my_day",
            ".o_call_campaign_my_day .o_call_campaign_figure",
            None,
        ),
        (
            "calls_calendar",
            agent_session,
            "/odoo/action-call_campaign.mail_activity_action_call?view_type=calendar",
            ".o_calendar_view .fc-event",
            None,
        ),
        (
            "campaigns",
            admin_session,
            "/odoo/action-call_campaign.call_campaign_action",
            ".o_kanban_record",
            None,
        ),
        (
            "campaign_dashboard",
            admin_session,
            f"/odoo/action-call_campaign.call_campaign_action/{campaign}",
            ".o_form_view .o_notebook",
            None,
        ),
        (
            "members_kanban",
            admin_session,
            "/odoo/action-call_campaign.call_campaign_member_action?view_type=kanban",
            ".o_kanban_record",
            None,
        ),
        (
            "member_form",
            admin_session,
            f"/odoo/action-call_campaign.call_campaign_member_action/{member}",
            ".o_form_view .o_notebook",
            None,
        ),
        (
            "log_call",
            admin_session,
            f"/odoo/action-call_campaign.call_campaign_member_action/{member}",
            ".o_form_view button[name=action_set_status]",
            "button[name=action_set_status]",
        ),
        (
            "customer_timeline",
            admin_session,
            f"/odoo/contacts/{customer}",
            ".o_form_view .o_notebook",
            "a.nav-link[name=call_timeline]",
        ),
        (
            "scheduled_calls",
            admin_session,
            "/odoo/action-call_campaign.mail_activity_action_call",
            ".o_list_view, .o_view_nocontent",
            None,
        ),
        (
            "status_book",
            admin_session,
            "/odoo/action-call_campaign.call_status_action",
            ".o_list_view",
            None,
        ),
        (
            "calls_analysis",
            admin_session,
            "/odoo/action-call_campaign.call_interaction_action_report",
            ".o_graph_view",
            None,
        ),
    ]
    browser = Browser(args.chromium)
    try:
        host = urllib.request.urlparse(args.url).hostname
        browser.call("Network.enable")
        browser.call("Page.enable")
        for name, session, path, ready, click in screens:
            browser.call(
                "Network.setCookie",
                name="session_id",
                value=session,
                domain=host,
                path="/",
            )
            browser.call("Page.navigate", url=f"{args.url}{path}")
            browser.wait_for(ready)
            if click:
                browser.evaluate(f"document.querySelector({json.dumps(click)}).click()")
                browser.wait_for(
                    ".modal .o_form_view" if "action_" in click else ".o_call_timeline"
                )
            time.sleep(1.5)
            browser.shot(out / f"{name}.png")
            print(f"saved {out / f'{name}.png'}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
