import {waitForChannels} from "@bus/../tests/bus_test_helpers";
import {formatSeconds} from "@call_campaign/wallboard/wallboard";
import {defineMailModels, start, startServer} from "@mail/../tests/mail_test_helpers";
import {beforeEach, describe, expect, test} from "@odoo/hoot";
import {queryAllTexts, waitFor} from "@odoo/hoot-dom";
import {
    Deferred,
    advanceTime,
    animationFrame,
    freezeTime,
    mockDate,
} from "@odoo/hoot-mock";
import {getService, onRpc, useTestClientAction} from "@web/../tests/web_test_helpers";
import {serializeDateTime} from "@web/core/l10n/dates";

const {DateTime} = luxon; // eslint-disable-line no-undef

defineMailModels();
describe.current.tags("desktop");

const NOW = "2025-03-10 09:00:00";
const CHANNEL = "call_campaign.wallboard_1";
const AGENT = ".o_call_campaign_wallboard_agent";
const CAMPAIGN = ".o_call_campaign_wallboard_campaign";

/** What get_wallboard says of a state entered `seconds` before NOW. */
function ago(seconds) {
    return serializeDateTime(DateTime.now().minus({seconds}));
}

function campaignRow(values) {
    return {
        id: 1,
        name: "Spring renewals",
        state: "running",
        ready: 0,
        on_call: 0,
        wrap_up: 0,
        paused: 0,
        dialing: 0,
        answered_now: 0,
        answered_today: 0,
        dropped_today: 0,
        abandon_rate_24h: 0,
        abandon_rate_30d: 0,
        max_abandon_rate: 3,
        abandon_warning: false,
        abandon_over: false,
        callable_now: 0,
        average_handle_seconds: 0,
        penetration_rate: 0,
        ...values,
    };
}

function agentRow(values) {
    return {
        user_id: 20,
        name: "Anna Agent",
        state: "ready",
        since: ago(0),
        reason_id: false,
        reason: false,
        max_minutes: 0,
        member_id: false,
        partner: false,
        campaign_id: false,
        calls_today: 0,
        talk_seconds_today: 0,
        occupancy: 0,
        ...values,
    };
}

function snapshot(agents, campaigns, companyId = 1) {
    return {company_id: companyId, date: ago(0), agents, campaigns};
}

/** Opens the wallboard on `floor`; every ORM call is a step. */
async function openWallboard(floor) {
    const pyEnv = await startServer();
    onRpc("/web/dataset/call_kw/*", (request) => {
        expect.step(new URL(request.url).pathname.replace("/web/dataset/call_kw/", ""));
    });
    onRpc("call.campaign", "get_wallboard", () => floor);
    await start();
    await getService("action").doAction("call_campaign.wallboard");
    expect.verifySteps(["call.campaign/get_wallboard"]);
    return pyEnv;
}

beforeEach(() => mockDate(NOW));

test("formatSeconds writes durations as m:ss or h:mm:ss", () => {
    expect(formatSeconds(0)).toBe("0:00");
    expect(formatSeconds(42)).toBe("0:42");
    expect(formatSeconds(185)).toBe("3:05");
    expect(formatSeconds(3600)).toBe("1:00:00");
    expect(formatSeconds(3723)).toBe("1:02:03");
    expect(formatSeconds(59.9)).toBe("0:59");
    expect(formatSeconds(-5)).toBe("0:00");
    expect(formatSeconds(false)).toBe("0:00");
    expect(formatSeconds(undefined)).toBe("0:00");
});

test("shows the agents and the campaigns get_wallboard returns", async () => {
    // time moves when the test says so: the wallboard's clock ticks every second
    freezeTime();
    await openWallboard(
        snapshot(
            [
                agentRow({
                    state: "on_call",
                    since: ago(125),
                    member_id: 5,
                    partner: "Azure Interior",
                    campaign_id: 2,
                    calls_today: 12,
                    talk_seconds_today: 3723,
                    occupancy: 66.6,
                }),
                agentRow({
                    user_id: 21,
                    name: "Bob Agent",
                    state: "paused",
                    since: ago(60),
                    reason_id: 1,
                    reason: "Lunch",
                    max_minutes: 30,
                }),
            ],
            [
                campaignRow({
                    ready: 2,
                    on_call: 1,
                    wrap_up: 4,
                    paused: 1,
                    dialing: 3,
                    answered_now: 1,
                    answered_today: 40,
                    dropped_today: 1,
                    abandon_rate_24h: 2.5,
                    abandon_rate_30d: 1.2,
                    callable_now: 120,
                    average_handle_seconds: 185,
                    penetration_rate: 35,
                }),
                campaignRow({id: 2, name: "Winback", state: "paused"}),
            ]
        )
    );
    await advanceTime(1000);

    expect(queryAllTexts(`${CAMPAIGN} .card-header`, {inline: true})).toEqual([
        "Spring renewals",
        "Winback Paused",
    ]);
    const spring = `${CAMPAIGN}[data-campaign-id='1']`;
    expect(queryAllTexts(`${spring} .fs-5 > span`)).toEqual(["2", "1", "4", "1"]);
    expect(queryAllTexts(`${spring} .row > div`)).toEqual([
        "Dialling now: 3",
        "Answered now: 1",
        "Answered today: 40",
        "Dropped today: 1",
        "Abandoned 24 h: 2.5% / 3%",
        "Abandoned 30 days: 1.2%",
        "Callable now: 120",
        "Handle time: 3:05",
        "Penetration: 35%",
    ]);

    expect(queryAllTexts(`${AGENT}[data-user-id='20'] td`)).toEqual([
        "Anna Agent",
        "On a call",
        "2:06",
        "Azure Interior",
        "Winback",
        "12",
        "1:02:03",
        "67%",
    ]);
    const bob = `${AGENT}[data-user-id='21']`;
    expect(queryAllTexts(`${bob} td`).slice(2)).toEqual([
        "1:01",
        "",
        "",
        "0",
        "0:00",
        "0%",
    ]);
    expect(`${bob} .o_call_campaign_wallboard_state`).toHaveText("Paused");
    expect(`${bob} .o_call_campaign_wallboard_state`).toHaveAttribute(
        "data-state",
        "paused"
    );
    expect(`${bob} td:nth-child(2) .text-muted`).toHaveText("Lunch");

    // the times in state move with the browser's clock, not with requests
    await advanceTime(60000);
    expect(`${AGENT}[data-user-id='20'] td:nth-child(3)`).toHaveText("3:06");
    expect(`${bob} td:nth-child(3)`).toHaveText("2:01");
    expect.verifySteps([]);
});

test("follows the snapshots pushed on the bus, without asking the server", async () => {
    const pyEnv = await openWallboard(
        snapshot(
            [agentRow({state: "on_call", calls_today: 12})],
            [campaignRow({ready: 1}), campaignRow({id: 2, name: "Winback"})]
        )
    );
    await waitForChannels([CHANNEL]);
    // the bus worker is shared by the browser's tabs: one may watch another company
    pyEnv["bus.bus"]._sendone(
        CHANNEL,
        "call_campaign/wallboard",
        snapshot([agentRow({user_id: 99, name: "Other Company"})], [], 2)
    );
    pyEnv["bus.bus"]._sendone(
        CHANNEL,
        "call_campaign/wallboard",
        snapshot(
            [
                agentRow({state: "wrap_up", calls_today: 13}),
                agentRow({user_id: 22, name: "Carl Agent"}),
            ],
            [campaignRow({ready: 1, on_call: 0, wrap_up: 1, abandon_over: true})]
        )
    );
    await waitFor(`${AGENT}[data-user-id='22']`);

    expect(queryAllTexts(`${AGENT} td:first-child`)).toEqual([
        "Anna Agent",
        "Carl Agent",
    ]);
    expect(`${AGENT}[data-user-id='20'] .o_call_campaign_wallboard_state`).toHaveText(
        "Wrap-up"
    );
    expect(`${AGENT}[data-user-id='20'] td:nth-child(6)`).toHaveText("13");
    expect(queryAllTexts(`${CAMPAIGN} .card-header`, {inline: true})).toEqual([
        "Spring renewals Over the abandon limit",
    ]);
    expect(`${CAMPAIGN}[data-campaign-id='1']`).toHaveClass("border-danger");

    // no polling
    await advanceTime(60000);
    expect.verifySteps([]);
});

test("a tick's changes are merged into the wallboard shown", async () => {
    const pyEnv = await openWallboard(
        snapshot(
            [
                agentRow({state: "on_call", calls_today: 12}),
                agentRow({user_id: 22, name: "Carl Agent"}),
                agentRow({user_id: 23, name: "Dora Agent"}),
            ],
            [campaignRow({ready: 2, on_call: 1})]
        )
    );
    await waitForChannels([CHANNEL]);
    pyEnv["bus.bus"]._sendone(CHANNEL, "call_campaign/wallboard", {
        ...snapshot(
            [
                agentRow({state: "wrap_up", calls_today: 13}),
                agentRow({user_id: 24, name: "Eve Agent"}),
            ],
            [campaignRow({ready: 2, on_call: 0, wrap_up: 1})]
        ),
        delta: true,
        removed: [23],
    });
    await waitFor(`${AGENT}[data-user-id='24']`);

    expect(queryAllTexts(`${AGENT} td:first-child`)).toEqual([
        "Anna Agent",
        "Carl Agent",
        "Eve Agent",
    ]);
    expect(`${AGENT}[data-user-id='20'] .o_call_campaign_wallboard_state`).toHaveText(
        "Wrap-up"
    );
    expect(`${AGENT}[data-user-id='20'] td:nth-child(6)`).toHaveText("13");
    expect(`${AGENT}[data-user-id='22']`).toHaveCount(1);
    expect.verifySteps([]);
});

test("a pause over its reason's maximum is shown in red", async () => {
    freezeTime();
    await openWallboard(
        snapshot(
            [
                agentRow({
                    state: "paused",
                    since: ago(270),
                    reason: "Coffee",
                    max_minutes: 5,
                }),
                agentRow({
                    user_id: 21,
                    name: "Bob Agent",
                    state: "paused",
                    since: ago(1200),
                    reason: "Training",
                    max_minutes: 0,
                }),
                agentRow({
                    user_id: 22,
                    name: "Carl Agent",
                    state: "paused",
                    since: ago(600),
                    reason: "Coffee",
                    max_minutes: 5,
                }),
                agentRow({user_id: 23, name: "Dora Agent", since: ago(7200)}),
            ],
            []
        )
    );
    await advanceTime(1000);
    const red = () => queryAllTexts(`${AGENT}.table-danger td:first-child`);
    // 4:31 of 5 minutes; no maximum; 10:01 of 5 minutes; not paused
    expect(red()).toEqual(["Carl Agent"]);

    await advanceTime(29000);
    expect(red()).toEqual(["Carl Agent"]);
    await advanceTime(1000);
    expect(red()).toEqual(["Anna Agent", "Carl Agent"]);
});

test("a campaign near or over its abandon limit is coloured", async () => {
    await openWallboard(
        snapshot(
            [],
            [
                campaignRow({
                    abandon_rate_24h: 3.4,
                    abandon_warning: true,
                    abandon_over: true,
                }),
                campaignRow({
                    id: 2,
                    name: "Winback",
                    abandon_rate_24h: 2.5,
                    abandon_warning: true,
                }),
                campaignRow({id: 3, name: "Calm", abandon_rate_24h: 1}),
            ]
        )
    );
    const card = (id) => `${CAMPAIGN}[data-campaign-id='${id}']`;
    const rate = (id) => `${card(id)} .row > div:nth-child(5)`;

    expect(card(1)).toHaveClass("border-danger");
    expect(card(1)).not.toHaveClass("border-warning");
    expect(`${card(1)} .badge.text-bg-danger`).toHaveText("Over the abandon limit");
    expect(rate(1)).toHaveClass(["text-danger", "fw-bold"]);

    expect(card(2)).toHaveClass("border-warning");
    expect(card(2)).not.toHaveClass("border-danger");
    expect(`${card(2)} .badge.text-bg-danger`).toHaveCount(0);
    expect(rate(2)).toHaveClass(["text-warning", "fw-bold"]);

    expect(card(3)).not.toHaveClass("border-warning");
    expect(card(3)).not.toHaveClass("border-danger");
    expect(rate(3)).not.toHaveClass("fw-bold");
});

test("leaving the wallboard leaves its channel", async () => {
    await openWallboard(snapshot([], []));
    await waitForChannels([CHANNEL]);
    await getService("action").doAction(useTestClientAction());
    await waitForChannels([CHANNEL], {operation: "delete"});
});

test("leaving before the snapshot comes follows nothing", async () => {
    await startServer();
    const answer = new Deferred();
    onRpc("call.campaign", "get_wallboard", () => answer);
    await start();
    getService("action").doAction("call_campaign.wallboard");
    await animationFrame();
    await getService("action").doAction(useTestClientAction());
    answer.resolve(snapshot([], []));
    await animationFrame();
    expect(getService("call_campaign").state.wallboards[1]).toBe(undefined);
});
