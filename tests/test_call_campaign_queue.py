import threading
import uuid
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from .common import CallCampaignCase, force_member_state

# queries of one "Next call" once the caches are warm (see the test): one
# of them reads the agent's state (on a call already: nothing written)
NEXT_CALL_QUERIES = 6


@tagged("call_campaign", "post_install", "-at_install")
class TestNextCall(CallCampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.st_dropped = cls.env["call.status"].create(
            {"name": "Dropped", "behavior": "priority", "hidden": True}
        )
        cls.campaign.status_ids |= cls.st_dropped
        Member = cls.env["call.campaign.member"]
        past = fields.Datetime.now() - timedelta(hours=1)
        cls.own_callback, cls.other_callback, cls.dropped, cls.high, cls.plain = (
            cls.members
        )
        force_member_state(
            cls.own_callback,
            {
                "status_id": cls.st_follow.id,
                "user_id": cls.agent.id,
                "next_call_date": past,
            },
        )
        force_member_state(
            cls.other_callback,
            {
                "status_id": cls.st_follow.id,
                "user_id": cls.agent2.id,
                "next_call_date": past,
            },
        )
        force_member_state(cls.dropped, {"status_id": cls.st_dropped.id})
        cls.high.priority = "2"
        extra = cls.env["res.partner"].create(
            [
                {"name": "Blacklisted", "phone": "+48 601 999 222"},
                {"name": "Later", "phone": "+48 601 999 333"},
            ]
        )
        cls.blacklisted, cls.later = Member.create(
            [{"campaign_id": cls.campaign.id, "partner_id": p.id} for p in extra]
        )
        cls.later.set_status(cls.st_recall)
        cls.env["phone.blacklist"]._add([extra[0].phone_sanitized])

    def _next(self, user, **kwargs):
        return self.env["call.campaign.member"].with_user(user).next_for_agent(**kwargs)

    def test_next_call_query_count(self):
        """As the agent: the campaigns, the calling hours, then one statement
        per tier that picks and reserves; nothing grows with the queue."""
        Member = self.env["call.campaign.member"].with_user(self.agent)
        Member.next_for_agent(self.campaign.ids)  # warm the caches up
        self.env.invalidate_all()
        with self.assertQueryCount(NEXT_CALL_QUERIES):
            Member.next_for_agent(self.campaign.ids)

    def test_order_own_callbacks_then_priority_then_the_rest(self):
        got = [self._next(self.agent) for _i in range(5)]
        self.assertEqual(got[0], self.own_callback)
        self.assertEqual(got[1], self.dropped)
        self.assertEqual(got[2], self.high)
        self.assertEqual(got[3], self.plain)
        self.assertFalse(got[4], "nothing else is due for this agent")
        self.assertEqual(self.own_callback.reserved_user_id, self.agent)

    def test_other_agents_callback_blacklisted_and_future_never_offered(self):
        offered = self.env["call.campaign.member"]
        for _i in range(8):
            offered |= self._next(self.agent2)
        self.assertIn(self.other_callback, offered)
        self.assertNotIn(self.own_callback, offered)
        self.assertNotIn(self.blacklisted, offered)
        self.assertNotIn(self.later, offered)

    def test_reserved_member_is_not_offered_to_another_agent(self):
        first = self._next(self.agent, campaign_ids=self.campaign.ids)
        self.assertEqual(first, self.own_callback)
        self.assertEqual(self._next(self.agent2), self.other_callback)
        taken = self._next(self.agent2)
        self.assertEqual(taken, self.dropped)
        self.assertNotEqual(self._next(self.agent), self.dropped)

    def test_expired_reservation_is_offered_again(self):
        with freeze_time(fields.Datetime.now() - timedelta(minutes=30)):
            self.assertEqual(self._next(self.agent2), self.other_callback)
            self.assertEqual(self._next(self.agent2), self.dropped)
        self.assertEqual(self._next(self.agent), self.own_callback)
        self.assertEqual(
            self._next(self.agent), self.dropped, "its reservation has expired"
        )

    def test_asking_again_moves_on(self):
        first = self._next(self.agent)
        self.assertNotEqual(self._next(self.agent), first)

    def test_only_running_campaigns_the_agent_works_in(self):
        self.assertFalse(self._next(self.outsider))
        self.campaign.with_user(self.manager).action_pause()
        self.assertFalse(self._next(self.agent))

    def test_outside_calling_hours_never_offered(self):
        calendar = self.env["resource.calendar"].create(
            {
                "name": "9-18",
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"D{d}",
                            "dayofweek": str(d),
                            "hour_from": 9,
                            "hour_to": 18,
                            "day_period": "morning",
                        },
                    )
                    for d in range(5)
                ],
            }
        )
        self.campaign.calling_calendar_id = calendar
        self.plain.partner_id.tz = "America/Sao_Paulo"
        (self.members - self.plain).partner_id.write({"tz": "Europe/Warsaw"})
        (self.blacklisted | self.later).partner_id.write({"tz": "Europe/Warsaw"})
        # Tuesday 19:00 UTC: closed in Warsaw, open in São Paulo
        with freeze_time(datetime(2026, 11, 24, 19, 0, 0)):
            self.assertEqual(self._next(self.agent), self.plain)
            self.assertFalse(self._next(self.agent))


@tagged("call_campaign", "post_install", "-at_install")
class TestNextCallConcurrency(TransactionCase):
    """Two real transactions ask at the same time: two different members."""

    def _committed_queue(self, name):
        """Two agents and a campaign of three members, committed: the other
        transactions must see them. Removed at the end of the test."""
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            group = env.ref("call_campaign.group_call_agent")
            users = env["res.users"].create(
                [
                    {
                        "name": f"{name} {i}",
                        "login": f"cc_{name.lower()}_{tag}_{i}",
                        "groups_id": [(6, 0, group.ids)],
                    }
                    for i in range(2)
                ]
            )
            campaign = env["call.campaign"].create(
                {
                    "name": name,
                    "state": "running",
                    "agent_ids": [(6, 0, users.ids)],
                    "default_status_id": env.ref("call_campaign.call_status_call").id,
                }
            )
            partners = env["res.partner"].create(
                [{"name": f"{name} customer {i}"} for i in range(3)]
            )
            env["call.campaign.member"].create(
                [{"campaign_id": campaign.id, "partner_id": p.id} for p in partners]
            )
            cr.commit()  # pylint: disable=invalid-commit
            user_ids, campaign_id, partner_ids = users.ids, campaign.id, partners.ids
        self.addCleanup(self._remove_queue, user_ids, campaign_id, partner_ids)
        return user_ids, campaign_id

    def _remove_queue(self, user_ids, campaign_id, partner_ids):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM call_interaction WHERE campaign_id = %s", [campaign_id]
            )
            cr.execute(
                "DELETE FROM call_campaign_member WHERE campaign_id = %s", [campaign_id]
            )
            cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign_id])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.users"].browse(user_ids).write({"active": False})
            env["res.partner"].browse(partner_ids).write({"active": False})

    def test_reserved_after_my_snapshot_is_skipped(self):
        """An agent whose transaction started before a colleague's
        reservation was committed still sees that member free: locking it
        fails to serialize, and the next free member is given instead."""
        registry = self.registry
        user_ids, campaign_id = self._committed_queue("Snapshot")
        with registry.cursor() as late_cr, registry.cursor() as early_cr:
            for cursor in (late_cr, early_cr):
                cursor.transaction = api.Transaction(registry)
            # the first agent's snapshot is taken now
            early_cr.execute("SELECT 1")
            late = api.Environment(late_cr, user_ids[1], {})
            taken = late["call.campaign.member"].next_for_agent([campaign_id])
            late_cr.commit()  # pylint: disable=invalid-commit
            early = api.Environment(early_cr, user_ids[0], {})
            given = early["call.campaign.member"].next_for_agent([campaign_id])
            self.assertTrue(taken)
            self.assertTrue(given, "no error: the next free member")
            self.assertNotEqual(given.id, taken.id)
            early_cr.rollback()

    def test_two_agents_at_once_get_two_members(self):
        registry = self.registry
        user_ids, campaign_id = self._committed_queue("Concurrent")
        results, errors = {}, []
        both_asked = threading.Barrier(2, timeout=30)

        def ask(uid):
            try:
                with registry.cursor() as cr:
                    # the test runner holds the registry lock: hand the
                    # registry over instead of looking it up
                    cr.transaction = api.Transaction(registry)
                    env = api.Environment(cr, uid, {})
                    member = env["call.campaign.member"].next_for_agent([campaign_id])
                    results[uid] = member.id
                    both_asked.wait()  # the first one keeps its lock until both asked
            except Exception as error:  # noqa: BLE001
                errors.append(error)
                both_asked.abort()

        threads = [threading.Thread(target=ask, args=(uid,)) for uid in user_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(errors)
        self.assertEqual(len(results), 2)
        self.assertTrue(all(results.values()))
        self.assertNotEqual(results[user_ids[0]], results[user_ids[1]])
