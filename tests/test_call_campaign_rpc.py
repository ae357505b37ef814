from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RpcCaseMixin


@tagged("call_campaign", "post_install", "-at_install")
class TestCallCampaignRpc(RpcCaseMixin, HttpCase):
    """Integrators and dialers drive the add-on over Odoo's external JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="rpc_agent", groups="call_campaign.group_call_agent"
        )
        cls.agent2 = new_test_user(
            cls.env, login="rpc_agent2", groups="call_campaign.group_call_agent"
        )
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "RPC",
                "state": "running",
                "agent_ids": [(6, 0, (cls.agent | cls.agent2).ids)],
                "default_status_id": cls.env.ref("call_campaign.call_status_call").id,
            }
        )
        partners = cls.env["res.partner"].create(
            [{"name": "RPC one"}, {"name": "RPC two"}]
        )
        cls.mine, cls.theirs = cls.env["call.campaign.member"].create(
            [{"campaign_id": cls.campaign.id, "partner_id": p.id} for p in partners]
        )
        cls.theirs.user_id = cls.agent2

    def test_agent_drives_the_queue_over_rpc(self):
        Member = "call.campaign.member"
        answer = self.rpc(self.agent, Member, "next_for_agent", [self.campaign.id])
        self.assertEqual(answer.get("result"), self.mine.id)
        status = self.env.ref("call_campaign.call_status_not_interested")
        reason = self.env.ref("call_campaign.call_status_reason_price")
        answer = self.rpc(
            self.agent,
            Member,
            "register_call_outcome",
            [self.mine.id],
            "answered",
            duration=42,
        )
        self.assertIsInstance(answer.get("result"), list)
        answer = self.rpc(
            self.agent,
            Member,
            "set_status",
            [self.mine.id],
            status.id,
            reason=reason.id,
            note="Too expensive",
        )
        interaction_ids = answer.get("result")
        self.assertEqual(len(interaction_ids), 1)
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.status_id, status)
        interaction = self.env["call.interaction"].browse(interaction_ids)
        self.assertEqual(interaction.user_id, self.agent)
        self.assertEqual(interaction.reason_id, reason)
        # nothing left for this agent: another agent's member is never given
        answer = self.rpc(self.agent, Member, "next_for_agent", [self.campaign.id])
        self.assertIs(answer.get("result"), False)

    @mute_logger("odoo.http")
    def test_agent_cannot_act_on_another_agents_member(self):
        status = self.env.ref("call_campaign.call_status_interested")
        answer = self.rpc(
            self.agent,
            "call.campaign.member",
            "set_status",
            [self.theirs.id],
            status.id,
        )
        self.assertIn("error", answer)
        self.assertIn("AccessError", answer["error"]["data"]["name"])
        answer = self.rpc(
            self.agent,
            "call.campaign.member",
            "register_call_outcome",
            [self.theirs.id],
            "busy",
        )
        self.assertIn("error", answer)
        self.theirs.invalidate_recordset()
        self.assertEqual(self.theirs.attempt_count, 0)

    @mute_logger("odoo.http")
    def test_unknown_outcome_error_lists_valid_ones(self):
        answer = self.rpc(
            self.agent,
            "call.campaign.member",
            "register_call_outcome",
            [self.mine.id],
            "exploded",
        )
        self.assertIn("must be one of answered", answer["error"]["data"]["message"])
