import json
from datetime import datetime

import pytz

from odoo import SUPERUSER_ID
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import mute_logger


def local_date(member, dt):
    """The day of ``dt`` (naive UTC) in the member's customer's time zone:
    what a call's activity is due on."""
    return pytz.utc.localize(dt).astimezone(pytz.timezone(member._get_call_tz())).date()


def force_member_state(members, vals):
    """Test set-up only: put members in a state (a past follow-up date, an
    attempt count...) without going through the member's operations and
    their history, as a cron or a past day would have left them."""
    members.sudo()._write_workflow(vals)


class CallCampaignCase(TransactionCase):
    """Two agents, a manager, a running campaign and a few statuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.manager = new_test_user(
            cls.env,
            login="cc_manager",
            groups="call_campaign.group_call_manager",
            tz="Europe/Warsaw",
        )
        cls.agent = new_test_user(
            cls.env,
            login="cc_agent",
            groups="call_campaign.group_call_agent",
            tz="Europe/Warsaw",
        )
        cls.agent2 = new_test_user(
            cls.env,
            login="cc_agent2",
            groups="call_campaign.group_call_agent",
            tz="Europe/Warsaw",
        )
        cls.outsider = new_test_user(
            cls.env, login="cc_outsider", groups="call_campaign.group_call_agent"
        )
        Status = cls.env["call.status"]
        cls.st_call = cls.env.ref("call_campaign.call_status_call")
        cls.st_follow = cls.env.ref("call_campaign.call_status_follow_up")
        cls.st_interested = cls.env.ref("call_campaign.call_status_interested")
        cls.st_not_interested = cls.env.ref("call_campaign.call_status_not_interested")
        cls.st_dnc = cls.env.ref("call_campaign.call_status_do_not_call")
        cls.st_busy = cls.env.ref("call_campaign.call_status_busy")
        cls.st_no_answer = cls.env.ref("call_campaign.call_status_no_answer")
        cls.st_unreachable = cls.env.ref("call_campaign.call_status_unreachable")
        cls.reason_price = cls.env.ref("call_campaign.call_status_reason_price")
        cls.reason_callback = cls.env.ref(
            "call_campaign.call_status_reason_callback_asked"
        )
        cls.st_not_before = Status.create(
            {"name": "Not before", "behavior": "not_before", "date_required": True}
        )
        cls.st_recall = Status.create(
            {
                "name": "Recall in 3 days",
                "behavior": "to_call",
                "schedule_call": True,
                "delay_days": 3,
            }
        )
        cls.st_lead_only = Status.create(
            {"name": "Lead qualified", "applies_to": "lead"}
        )
        cls.st_elsewhere = Status.create({"name": "Not in campaign"})
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "Test Campaign",
                "user_id": cls.manager.id,
                "agent_ids": [(6, 0, [cls.agent.id, cls.agent2.id])],
                "default_status_id": cls.st_call.id,
                "state": "running",
            }
        )
        cls.campaign.status_ids |= cls.st_not_before | cls.st_recall | cls.st_lead_only
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Customer {i}",
                    "phone": f"+48 601 200 {i:03d}",
                    "tz": "Europe/Warsaw",
                }
                for i in range(5)
            ]
        )
        cls.members = cls.env["call.campaign.member"].create(
            [{"campaign_id": cls.campaign.id, "partner_id": p.id} for p in cls.partners]
        )
        cls.member = cls.members[0]

    @property
    def su_env(self):
        """The set-up (superuser) environment, also inside a ``@users`` test:
        set-up data the user could not create, and checks of the results that
        must not depend on what the user may see."""
        return self.env(user=SUPERUSER_ID, su=True)

    @staticmethod
    def _dt(value):
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


class RpcCaseMixin:
    """Calls the external API as a user would: JSON-RPC ``execute_kw`` with
    the user's login and password (``HttpCase`` only)."""

    def rpc(self, user, model, method, *args, **kwargs):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    user.login,
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def rpc_refused(self, user, model, method, *args, **kwargs):
        """A call that must be refused: its expected server warning is muted
        here (the log stays clean for checklog-odoo); returns the message."""
        with mute_logger("odoo.http"):
            answer = self.rpc(user, model, method, *args, **kwargs)
        return self.assertRpcRefused(answer)

    def assertRpcRefused(self, answer, error=None, message=None):
        """The call failed with one of the clear errors (never a crash)."""
        self.assertIn("error", answer, f"expected a refusal, got {answer}")
        name = answer["error"]["data"]["name"]
        allowed = error or (
            "odoo.exceptions.UserError",
            "odoo.exceptions.ValidationError",
            "odoo.exceptions.AccessError",
            "odoo.exceptions.MissingError",
        )
        self.assertIn(name, allowed, answer["error"]["data"].get("message"))
        if message:
            self.assertIn(message, answer["error"]["data"]["message"])
        return answer["error"]["data"]["message"]
