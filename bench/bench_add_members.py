"""Adding the contacts of a filter to a campaign (the add wizard and its job),
and the same contacts joining as the campaign's live audience (its job), next
to a bare ORM batch create of the same members.

Not part of the test suite (``bench/run.py`` runs it). Inserts ``--contacts``
contacts by SQL into the bench database (set-up is not measured); then each
phase runs on a fresh copy of that database (``CREATE DATABASE … TEMPLATE``),
so no phase walks the dead rows or warms the caches of another::

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

import odoo
from odoo.service import db as db_service

BATCH = 1000


def add_floor(env, campaign, domain):
    """The floor: the filter's contacts as members, a bare ORM batch create
    of 1,000 at a time."""
    Member = env["call.campaign.member"]
    status = campaign._get_default_status()
    partners = env["res.partner"].search(domain)
    for offset in range(0, len(partners), BATCH):
        Member.create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": partner_id,
                    "status_id": status.id,
                }
                for partner_id in partners.ids[offset : offset + BATCH]
            ]
        )
        env.flush_all()
        env.invalidate_all()


def add_wizard(env, campaign, domain):
    """What a manager's Add Members costs: the wizard as the manager, then
    its job in the background as the scheduler runs it."""
    manager = env.ref("base.user_admin")
    wizard = env(user=manager.id, su=False)["call.campaign.member.add"].create(
        {"campaign_id": campaign.id, "res_model": "res.partner", "domain": str(domain)}
    )
    wizard.action_add()
    env["call.campaign.add.request"]._cron_add_members()
    env.flush_all()


def add_audience(env, campaign, domain):
    """What an audience's update costs: the manager's Update now, then the
    audience job as the scheduler runs it."""
    manager = env.ref("base.user_admin")
    env(user=manager.id, su=False)["call.campaign"].browse(
        campaign.id
    ).action_sync_audience()
    env["call.campaign"]._cron_sync_audiences()
    env.flush_all()


PHASES = {"floor": add_floor, "wizard": add_wizard, "audience": add_audience}


def run_phase(source, phase, campaign_id, domain):
    """One phase on a fresh copy of ``source``; its seconds and the members
    it made."""
    name = f"{source}_{phase}"
    db_service.exp_duplicate_database(source, name)
    try:
        registry = odoo.modules.registry.Registry(name)
        with registry.cursor() as cr:
            env = superuser_env(cr)
            campaign = env["call.campaign"].browse(campaign_id)
            if phase == "audience":
                campaign.write(
                    {"audience_model": "res.partner", "audience_domain": str(domain)}
                )
                env.flush_all()
                cr.commit()
            start = time.perf_counter()
            PHASES[phase](env, campaign, domain)
            seconds = time.perf_counter() - start
            members = env["call.campaign.member"].search_count(
                [("campaign_id", "=", campaign_id)]
            )
            cr.commit()
    finally:
        odoo.modules.registry.Registry.delete(name)
        db_service.exp_drop(name)
    return seconds, members


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    registry = open_registry(args.database, args.odoo_args)
    prefix = f"Audience {uuid.uuid4().hex[:6]} "
    domain = [("name", "=like", f"{prefix}%")]
    with registry.cursor() as cr:
        partner_ids = insert_partners(cr, args.contacts, prefix)
        campaign_id = (
            superuser_env(cr)["call.campaign"].create({"name": "Add bench"}).id
        )
        cr.execute("ANALYZE res_partner")
        cr.commit()
    # the copies are made from the database: nobody may be connected to it
    odoo.modules.registry.Registry.delete(args.database)
    odoo.sql_db.close_db(args.database)
    try:
        seconds, members = {}, {}
        for phase in PHASES:
            seconds[phase], members[phase] = run_phase(
                args.database, phase, campaign_id, domain
            )
        print(
            ", ".join(f"{phase}: {count:,} members" for phase, count in members.items())
        )
        for phase, figure in (
            (
                "wizard",
                f"Add {args.contacts:,} contacts by a filter (add wizard and its job)",
            ),
            (
                "audience",
                f"Sync an audience of {args.contacts:,} new matches (its job)",
            ),
        ):
            result(
                figure,
                seconds[phase] * 1000,
                "bare ORM batch create of the same members",
                seconds["floor"] * 1000,
                aim=1.2,
                note="each phase on a fresh copy of the database"
                if members[phase] == members["floor"]
                else f"{members[phase]:,} members, not {members['floor']:,}",
            )
    finally:
        with odoo.modules.registry.Registry(args.database).cursor() as cr:
            cr.execute("DELETE FROM call_campaign WHERE id = %s", [campaign_id])
            archive_partners(cr, partner_ids)


if __name__ == "__main__":
    main()
