"""Adding the contacts of a filter to a campaign (the add wizard), and the
same contacts joining as the campaign's live audience (``action_sync_audience``),
next to a bare ORM batch create of the same members.

Not part of the test suite (``bench/run.py`` runs it). Inserts ``--contacts``
contacts by SQL (set-up is not measured); each measured phase runs in a
transaction that is rolled back, the floor first (the others run on the rows
the phases before them left dead); the contacts are archived at the end::

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
    prefix = f"Audience {tag} "
    with registry.cursor() as cr:
        env = superuser_env(cr)
        partner_ids = insert_partners(cr, args.contacts, prefix)
        cr.execute("ANALYZE res_partner")
        campaign = env["call.campaign"].create({"name": f"Add bench {tag}"})
        cr.commit()
        campaign_id = campaign.id
    try:
        # the floor first, on clean tables: the phases after it run on the
        # rows the rolled-back phases before them left dead (our figures
        # pay for that, the floor does not)
        with registry.cursor() as cr:
            env = superuser_env(cr)
            Member = env["call.campaign.member"]
            status = env["call.campaign"].browse(campaign_id)._get_default_status()
            start = time.perf_counter()
            partners = env["res.partner"].search([("name", "=like", f"{prefix}%")])
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
                    "campaign_id": campaign_id,
                    "res_model": "res.partner",
                    "domain": str([("name", "=like", f"{prefix}%")]),
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
                campaign_id
            )
            campaign.write(
                {
                    "audience_model": "res.partner",
                    "audience_domain": str([("name", "=like", f"{prefix}%")]),
                }
            )
            env.flush_all()
            start = time.perf_counter()
            counts = campaign.action_sync_audience()["counts"][str(campaign_id)]
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
            cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign_id])
            archive_partners(cr, partner_ids)


if __name__ == "__main__":
    main()
