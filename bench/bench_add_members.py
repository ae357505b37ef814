"""Adding the contacts of a filter to a campaign (the add wizard), and the
same contacts joining as the campaign's live audience (``action_sync_audience``),
next to a bare ORM batch create of the same members.

Not part of the test suite (``bench/run.py`` runs it). Inserts ``--contacts``
contacts of the same shape per phase by SQL (set-up is not measured), each
phase adding its own to its own campaign in a transaction that is rolled
back; the contacts are archived at the end::

    python3 bench/bench_add_members.py -d DB --contacts 100000 -- -c odoo.conf
"""

import argparse
import time
import uuid

from common import (
    archive_partners,
    insert_partners,
    open_registry,
    result,
    superuser_env,
)

BATCH = 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    registry = open_registry(args.database, args.odoo_args)
    tag = uuid.uuid4().hex[:6]
    # each phase adds its own contacts (same shape) to its own campaign: a
    # rolled-back phase leaves dead rows, and the next one must not walk
    # them (they made a later phase up to 4 times slower)
    phases = ("floor", "wizard", "audience")
    prefixes = {phase: f"Audience {tag} {phase} " for phase in phases}
    partner_ids, campaign_ids = [], {}
    with registry.cursor() as cr:
        env = superuser_env(cr)
        for phase in phases:
            partner_ids += insert_partners(cr, args.contacts, prefixes[phase])
            campaign_ids[phase] = (
                env["call.campaign"].create({"name": f"Add bench {tag} {phase}"}).id
            )
        cr.execute("ANALYZE res_partner")
        cr.commit()
    try:
        with registry.cursor() as cr:
            env = superuser_env(cr)
            Member = env["call.campaign.member"]
            campaign_id = campaign_ids["floor"]
            status = env["call.campaign"].browse(campaign_id)._get_default_status()
            start = time.perf_counter()
            partners = env["res.partner"].search(
                [("name", "=like", f"{prefixes['floor']}%")]
            )
            for offset in range(0, len(partners), BATCH):
                Member.create(
                    [
                        {
                            "campaign_id": campaign_id,
                            "partner_id": partner_id,
                            "status_id": status.id,
                        }
                        for partner_id in partners.ids[offset : offset + BATCH]
                    ]
                )
                env.flush_all()
                env.invalidate_all()
            floor = time.perf_counter() - start
            cr.rollback()
        with registry.cursor() as cr:
            env = superuser_env(cr)
            manager = env.ref("base.user_admin")
            wizard = env(user=manager.id, su=False)["call.campaign.member.add"].create(
                {
                    "campaign_id": campaign_ids["wizard"],
                    "res_model": "res.partner",
                    "domain": str([("name", "=like", f"{prefixes['wizard']}%")]),
                }
            )
            start = time.perf_counter()
            wizard.action_add()
            env.flush_all()
            ours = time.perf_counter() - start
            added = wizard.added_count
            cr.rollback()
        with registry.cursor() as cr:
            env = superuser_env(cr)
            manager = env.ref("base.user_admin")
            campaign = env(user=manager.id, su=False)["call.campaign"].browse(
                campaign_ids["audience"]
            )
            campaign.write(
                {
                    "audience_model": "res.partner",
                    "audience_domain": str(
                        [("name", "=like", f"{prefixes['audience']}%")]
                    ),
                }
            )
            env.flush_all()
            start = time.perf_counter()
            counts = campaign.action_sync_audience()["counts"][str(campaign.id)]
            env.flush_all()
            audience = time.perf_counter() - start
            cr.rollback()
        print(
            f"{args.contacts:,} contacts, {added:,} added, "
            f"{counts['joined']:,} joined the audience"
        )
        result(
            f"Add {args.contacts:,} contacts by a filter (add wizard)",
            ours * 1000,
            "bare ORM batch create of the same members",
            floor * 1000,
            aim=1.2,
        )
        result(
            f"Sync an audience of {args.contacts:,} new matches (action_sync_audience)",
            audience * 1000,
            "bare ORM batch create of the same members",
            floor * 1000,
            aim=1.2,
        )
    finally:
        with registry.cursor() as cr:
            cr.execute(
                "DELETE FROM call_campaign WHERE id = ANY(%s)",
                [list(campaign_ids.values())],
            )
            archive_partners(cr, partner_ids)


if __name__ == "__main__":
    main()
