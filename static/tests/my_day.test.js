import {defineMailModels, start, startServer} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, queryAllTexts, waitFor} from "@odoo/hoot-dom";
import {advanceTime, animationFrame} from "@odoo/hoot-mock";
import {
    getService,
    onRpc,
    patchWithCleanup,
    serverState,
} from "@web/../tests/web_test_helpers";

defineMailModels();
describe.current.tags("desktop");

const FIGURE_COUNT = ".o_call_campaign_figure_count";

function myDay({dueNow = 4} = {}) {
    const figure = (key, label, count, note = "") => ({
        key,
        label,
        model: "call.campaign.member",
        domain: [["user_id", "=", serverState.userId]],
        count,
        note,
        help: `<p class="o_view_nocontent_smiling_face">No ${label}</p>`,
    });
    return {
        figures: [
            figure("due_now", "Due now", dueNow),
            figure(
                "waiting",
                "Due, not callable now",
                2,
                "2 due but not callable now: 2 outside their calling hours."
            ),
            figure("overdue", "Overdue", 1),
            figure("callbacks", "My callbacks", 2),
            {...figure("done_today", "Calls today", 9), model: "call.interaction"},
            figure("reserved", "Reserved to me", 0),
        ],
        campaigns: [
            {id: 1, name: "Spring renewals", due_now: dueNow - 1},
            {id: 2, name: "Winback", due_now: 1},
        ],
        agent_time: {
            logged_in_hours: 1.5,
            talk_hours: 0.75,
            wrapup_hours: 0.25,
            pause_hours: 0.5,
            calls: 9,
            occupancy: 62.5,
        },
    };
}

/**
 * Opens My day: the server answers `days` in turn and the agent's `states`
 * in turn; every ORM call is a step.
 */
async function openMyDay({days = [myDay()], states = ["ready"]} = {}) {
    const pyEnv = await startServer();
    onRpc("/web/dataset/call_kw/*", (request) => {
        expect.step(new URL(request.url).pathname.replace("/web/dataset/call_kw/", ""));
    });
    onRpc("call.campaign.member", "get_my_day", () => days.shift());
    onRpc("res.users", "get_call_agent_state", () => ({
        user_id: serverState.userId,
        state: states.shift(),
        since: "2025-03-10 09:00:00",
        reason_id: false,
    }));
    onRpc("call.pause.reason", "search_read", () => [
        {id: 1, name: "Lunch"},
        {id: 2, name: "Training"},
    ]);
    await start();
    await getService("action").doAction("call_campaign.my_day");
    expect.verifySteps([
        "call.pause.reason/search_read",
        "res.users/get_call_agent_state",
        "call.campaign.member/get_my_day",
    ]);
    return pyEnv;
}

test("shows the figures get_my_day returns", async () => {
    await openMyDay();

    expect(queryAllTexts(FIGURE_COUNT)).toEqual(["4", "2", "1", "2", "9", "0"]);
    expect(queryAllTexts(".o_call_campaign_figure .text-muted")).toEqual([
        "Due now",
        "Due, not callable now",
        "Overdue",
        "My callbacks",
        "Calls today",
        "Reserved to me",
    ]);
    // only the figures with something to explain
    expect(queryAllTexts(".o_call_campaign_figure_note")).toEqual([
        "2 due but not callable now: 2 outside their calling hours.",
    ]);
    expect(queryAllTexts(".o_call_campaign_my_agent_time > span")).toEqual([
        "Logged in today 1:30:00",
        "Talk 45:00",
        "Wrap-up 15:00",
        "Pause 30:00",
        "Occupancy 62.5%",
    ]);
    expect(queryAllTexts(".o_call_campaign_my_campaigns li", {inline: true})).toEqual([
        "Spring renewals 3 due now Next Call",
        "Winback 1 due now Next Call",
    ]);
    expect(".o_call_campaign_agent_state_badge").toHaveText("Ready");
    // Next Call is the page's main button, beside the agent's state, not
    // before the page's title
    expect(".o_call_campaign_agent_state .o_call_campaign_next_call").toHaveCount(1);
    expect(".o_control_panel .o_call_campaign_next_call").toHaveCount(0);
    expect(".o_call_campaign_ready").toHaveCount(0);
    expect(queryAllTexts(".o_call_campaign_pause_reason")).toEqual([
        "Lunch",
        "Training",
    ]);
});

test("follows its bus notifications, without polling", async () => {
    const pyEnv = await openMyDay({
        days: [myDay(), myDay({dueNow: 5}), myDay({dueNow: 6})],
        states: ["ready", "paused"],
    });
    const [partner] = pyEnv["res.partner"].read(serverState.partnerId);

    // a reservation or an outcome: the figures only
    pyEnv["bus.bus"]._sendone(partner, "call_campaign/my_day", {member_ids: [1]});
    await waitFor(`.o_call_campaign_figure_due_now ${FIGURE_COUNT}:contains(5)`);
    expect.verifySteps(["call.campaign.member/get_my_day"]);
    expect(queryAllTexts(".o_call_campaign_my_campaigns li .text-muted")).toEqual([
        "4 due now",
        "1 due now",
    ]);

    // the agent's state changed elsewhere (another tab, a dialer)
    pyEnv["bus.bus"]._sendone(partner, "call_campaign/agent_state", {state: "paused"});
    await waitFor(".o_call_campaign_agent_state_badge[data-state='paused']");
    await waitFor(`.o_call_campaign_figure_due_now ${FIGURE_COUNT}:contains(6)`);
    expect.verifySteps([
        "res.users/get_call_agent_state",
        "call.campaign.member/get_my_day",
    ]);
    expect(".o_call_campaign_ready").toHaveCount(1);
    expect(".o_call_campaign_pause").toHaveCount(0);

    await advanceTime(5 * 60 * 1000);
    expect.verifySteps([]);
});

test("a figure opens the records it counts, with its empty state", async () => {
    await openMyDay();
    patchWithCleanup(getService("action"), {
        doAction(action) {
            expect.step(action);
        },
    });

    await click(".o_call_campaign_figure_done_today");
    await animationFrame();
    expect.verifySteps([
        {
            type: "ir.actions.act_window",
            name: "Calls today",
            res_model: "call.interaction",
            domain: [["user_id", "=", serverState.userId]],
            help: '<p class="o_view_nocontent_smiling_face">No Calls today</p>',
            views: [
                [false, "list"],
                [false, "form"],
            ],
        },
    ]);
});
