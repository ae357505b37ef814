import {Component, onWillDestroy, onWillStart, status, useState} from "@odoo/owl";
import {deserializeDateTime} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";

const {DateTime} = luxon; // eslint-disable-line no-undef

/** 0:42, 3:05, 1:02:03 — as the server writes call times. */
export function formatSeconds(seconds) {
    const total = Math.max(0, Math.floor(seconds || 0));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = String(total % 60).padStart(2, "0");
    return hours
        ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}`
        : `${minutes}:${secs}`;
}

/**
 * The supervisor's wallboard: the floor of the current company, pushed by
 * the server over the bus after every change (one snapshot for every open
 * wallboard). The browser only reads it once when opened; the clock that
 * moves the times in state is local.
 */
export class CallCampaignWallboard extends Component {
    static template = "call_campaign.Wallboard";
    static components = {Layout};
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.callCampaign = useService("call_campaign");
        this.live = useState(this.callCampaign.state);
        this.clock = useState({now: DateTime.now()});
        this.companyId = useService("company").currentCompany.id;
        let watching = false;
        onWillStart(async () => {
            const snapshot = await this.orm.call("call.campaign", "get_wallboard", []);
            // left before the snapshot came: nothing to follow
            if (status(this) !== "destroyed") {
                this.callCampaign.watchWallboard(this.companyId, snapshot);
                watching = true;
            }
        });
        const timer = setInterval(() => (this.clock.now = DateTime.now()), 1000);
        // destroyed, mounted or not: the channel is left either way
        onWillDestroy(() => {
            clearInterval(timer);
            if (watching) {
                this.callCampaign.unwatchWallboard(this.companyId);
            }
        });
    }

    get snapshot() {
        return this.live.wallboards[this.companyId] || {agents: [], campaigns: []};
    }

    secondsSince(since) {
        if (!since) {
            return 0;
        }
        return this.clock.now.diff(deserializeDateTime(since)).as("seconds");
    }

    timeInState(agent) {
        return formatSeconds(this.secondsSince(agent.since));
    }

    overMax(agent) {
        return (
            agent.state === "paused" &&
            agent.max_minutes > 0 &&
            this.secondsSince(agent.since) > agent.max_minutes * 60
        );
    }

    formatSeconds(seconds) {
        return formatSeconds(seconds);
    }

    campaignName(campaignId) {
        const campaign = this.snapshot.campaigns.find((c) => c.id === campaignId);
        return campaign ? campaign.name : "";
    }
}

registry.category("actions").add("call_campaign.wallboard", CallCampaignWallboard);
