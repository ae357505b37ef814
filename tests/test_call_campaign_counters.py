import random

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CallCampaignCase

MEMBER = "call.campaign.member"


@tagged("call_campaign", "post_install", "-at_install")
class TestMaintainedCounters(CallCampaignCase):
    """Issue 24: the campaign figures come from counters the database keeps
    in the same transaction as each change; after a random mix of 1,000
    operations by every path (status changes, forwards, dialer outcomes,
    archive, audience leave, stage moves, imports, SQL, deletion) they equal
    a fresh count of the members."""

    def fresh(self, campaigns):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT m.campaign_id, COALESCE(m.stage_id, 0), m.state,
                      m.last_call_date IS NOT NULL, m.next_call_date IS NOT NULL,
                      COALESCE(s.result = 'success', false), count(*)
                 FROM call_campaign_member m
                 JOIN call_status s ON s.id = m.status_id
                WHERE m.active AND m.campaign_id IN %s
                GROUP BY 1, 2, 3, 4, 5, 6""",
            [tuple(campaigns.ids)],
        )
        return sorted(self.env.cr.fetchall())

    def counted(self, campaigns):
        counts = self.env["call.campaign.counter"]._counts(campaigns.ids)
        return sorted(
            (cid, stage or 0, state, contacted, dated, success, count)
            for cid, rows in counts.items()
            for stage, state, contacted, dated, success, count in rows
        )

    def test_counters_equal_a_fresh_count(self):
        rng = random.Random(24)
        other = self.env["call.campaign"].create(
            {
                "name": "Counted too",
                "state": "running",
                "agent_ids": [Command.set((self.agent | self.agent2).ids)],
                "audience_model": "res.partner",
                "audience_domain": "[('name', 'like', 'Counted')]",
                "audience_leave_status_id": self.env.ref(
                    "call_campaign.call_status_not_interested"
                ).id,
            }
        )
        campaigns = self.campaign | other
        partners = self.env["res.partner"].create(
            [
                {"name": f"Counted {i}", "phone": f"+48 601 800 {i:03d}"}
                for i in range(60)
            ]
        )
        members = self.env[MEMBER].create(
            [
                {"campaign_id": campaigns[i % 2].id, "partner_id": p.id}
                for i, p in enumerate(partners)
            ]
        )
        statuses = self.env["call.status"].search(
            [("campaign_id", "=", False), ("behavior", "!=", "do_not_call")]
        )
        outcomes = ["answered", "no_answer", "busy", "voicemail", "dropped", "failed"]
        done = {}
        for _i in range(1000):
            member = rng.choice(members.exists())
            operation = rng.choice(
                [
                    "status",
                    "status",
                    "outcome",
                    "outcome",
                    "forward",
                    "archive",
                    "stage",
                    "sql",
                    "create",
                    "unlink",
                    "leave",
                ]
            )
            try:
                with self.env.cr.savepoint():
                    if operation == "status":
                        status = rng.choice(statuses)
                        member.campaign_id.sudo().status_ids |= status
                        member._set_status(status, None, system=True)
                    elif operation == "outcome":
                        member.with_user(self.manager).register_call_outcome(
                            rng.choice(outcomes), duration=rng.randint(0, 300)
                        )
                    elif operation == "forward":
                        target = campaigns - member.campaign_id
                        if not target.member_ids.filtered(
                            lambda m, p=member.partner_id: m.partner_id == p
                        ):
                            member._forward(
                                self.agent2,
                                target,
                                rng.choice(statuses),
                                None,
                            )
                    elif operation == "archive":
                        member.active = not member.active
                    elif operation == "stage":
                        member.stage_id = rng.choice(member.campaign_id.stage_ids)
                    elif operation == "sql":
                        # a path that is not the ORM: an import script
                        self.env.flush_all()
                        self.env.cr.execute(
                            "UPDATE call_campaign_member SET state = 'closed' WHERE id = %s",
                            [member.id],
                        )
                        self.env.invalidate_all()
                    elif operation == "create":
                        partner = self.env["res.partner"].create(
                            {"name": f"Counted new {_i}", "phone": f"+48 602 {_i:06d}"}
                        )
                        members |= self.env[MEMBER].create(
                            {
                                "campaign_id": rng.choice(campaigns).id,
                                "partner_id": partner.id,
                            }
                        )
                    elif operation == "unlink":
                        self.env.flush_all()
                        self.env.cr.execute(
                            "DELETE FROM call_interaction WHERE member_id = %s",
                            [member.id],
                        )
                        self.env.cr.execute(
                            "DELETE FROM call_campaign_call WHERE member_id = %s",
                            [member.id],
                        )
                        self.env.cr.execute(
                            "DELETE FROM mail_activity WHERE call_member_id = %s",
                            [member.id],
                        )
                        self.env.cr.execute(
                            "DELETE FROM call_campaign_member WHERE id = %s",
                            [member.id],
                        )
                        self.env.invalidate_all()
                    elif operation == "leave":
                        member.partner_id.name = f"Gone {_i}"
                        other._sync_audience()
                done[operation] = done.get(operation, 0) + 1
            except UserError:
                done["refused"] = done.get("refused", 0) + 1
            if _i % 250 == 0:
                self.env["call.campaign.counter"]._cron_compact()
        self.assertGreater(len(done), 8, done)
        self.assertEqual(self.counted(campaigns), self.fresh(campaigns), done)
        # and the campaign's figures are those counts
        campaigns.invalidate_recordset()
        Member = self.env[MEMBER]
        for campaign in campaigns:
            active = campaign.member_ids
            self.assertEqual(
                campaign.to_call_today_count,
                Member.search_count(
                    [("campaign_id", "=", campaign.id)] + Member._due_domain("today")
                ),
            )
            self.assertEqual(
                campaign.overdue_count,
                Member.search_count(
                    [("campaign_id", "=", campaign.id)] + Member._due_domain("overdue")
                ),
            )
            self.assertEqual(campaign.member_count, len(active))
            self.assertEqual(
                campaign.closed_count,
                len(active.filtered(lambda m: m.state == "closed")),
            )
