"""My day, the agent's landing page: what is due, overdue, their callbacks,
the calls made today and what is reserved to them, as the app and RPC
callers read it (``get_my_day``)."""

from markupsafe import Markup

from odoo import api, fields, models

from .call_interaction import CALL_KINDS
from .local_day import local_midnight
from .public_method import public_method


class CallCampaignMember(models.Model):
    _inherit = "call.campaign.member"

    @api.model
    @api.readonly
    @public_method()
    def get_my_day(self):
        """The agent's day at a glance (the app's landing page): what is due
        now, overdue, their callbacks, the calls they made today and the
        customers reserved to them, each with the domain that lists it, and
        their running campaigns. Reads only; "Next call" stays a button."""
        uid = self.env.uid
        now = fields.Datetime.now()
        campaigns = self.env["call.campaign"].search(
            [("state", "=", "running"), ("agent_ids", "in", uid)]
        )
        mine_or_free = [("campaign_id", "in", campaigns.ids)] + [
            "|",
            ("user_id", "=", False),
            ("user_id", "=", uid),
        ]
        due = mine_or_free + self._due_domain("now", now)
        # exactly what Next Call can give now; the other due members wait
        due_now = [("queue_callable", "=", True)]
        waiting = due + [("queue_callable", "=", False)]
        interactions = self.env["call.interaction"]
        done_today = [
            ("user_id", "=", uid),
            ("kind", "in", CALL_KINDS),
            ("date", ">=", self._user_midnight(now)),
        ]
        figures = [
            ("due_now", self.env._("Due now"), self._name, due_now),
            ("waiting", self.env._("Due, not callable now"), self._name, waiting),
            (
                "overdue",
                self.env._("Overdue"),
                self._name,
                [("user_id", "=", uid)] + self._due_domain("overdue", now),
            ),
            (
                "callbacks",
                self.env._("My callbacks"),
                self._name,
                [
                    ("user_id", "=", uid),
                    ("behavior", "=", "my_record"),
                    ("state", "in", ("queued", "scheduled")),
                ],
            ),
            ("done_today", self.env._("Calls today"), interactions._name, done_today),
            (
                "reserved",
                self.env._("Reserved to me"),
                self._name,
                [("reserved_user_id", "=", uid), ("reserved_until", ">", now)],
            ),
        ]
        due_by_campaign = dict(self._read_group(due_now, ["campaign_id"], ["__count"]))
        empty = {
            "due_now": self.env._("Nobody Next Call can give you now."),
            "waiting": self.env._("Every customer due can be called now."),
            "overdue": self.env._("Nothing overdue: every follow-up is on time."),
            "callbacks": self.env._("No callback of yours is open."),
            "done_today": self.env._("No call yet today."),
            "reserved": self.env._("Nobody is reserved to you."),
        }
        rows = [
            {
                "key": key,
                # what the list says when it is empty (Odoo's empty state)
                "help": Markup('<p class="o_view_nocontent_smiling_face">%s</p>')
                % empty[key],
                "label": label,
                "model": model,
                "domain": domain,
                # the due now per campaign add up to the figure
                "count": sum(due_by_campaign.values())
                if key == "due_now"
                else self.env[model].search_count(domain),
                "note": "",
            }
            for key, label, model, domain in figures
        ]
        for row in rows:
            if row["key"] == "waiting" and row["count"]:
                row["note"] = self._queue_waiting_note(due)
        return {
            "figures": rows,
            "campaigns": [
                {
                    "id": campaign.id,
                    "name": campaign.name,
                    "due_now": due_by_campaign.get(campaign, 0),
                }
                for campaign in campaigns
            ],
            "agent_time": self._my_agent_time(),
        }

    @api.model
    def _my_agent_time(self):
        """The agent's own figures of today, as the Agent Time report and
        the wallboard count them."""
        row = self.env["call.agent.day"]._today_rows(self.env.user).get(self.env.uid)
        return {
            "logged_in_hours": row.logged_in_hours if row else 0.0,
            "talk_hours": row.talk_hours if row else 0.0,
            "wrapup_hours": row.wrapup_hours if row else 0.0,
            "pause_hours": row.pause_hours if row else 0.0,
            "calls": row.call_count if row else 0,
            "occupancy": round(row.occupancy, 1) if row else 0.0,
        }

    @api.model
    def _user_midnight(self, now, days=0):
        """Midnight starting the calling user's day (``days`` later), as naive
        UTC: where "today" starts and ends for the due filters and My day."""
        return local_midnight(now, self.env.user.tz, days)
