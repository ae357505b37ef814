import {waitForChannels} from "@bus/../tests/bus_test_helpers";
import {defineMailModels, start, startServer} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {waitUntil} from "@odoo/hoot-dom";
import {advanceTime, animationFrame} from "@odoo/hoot-mock";
import {
    getService,
    onRpc,
    patchWithCleanup,
    serverState,
} from "@web/../tests/web_test_helpers";

defineMailModels();
describe.current.tags("desktop");

const CHANNEL = "call_campaign.wallboard_1";

function snapshot(companyId, date) {
    return {company_id: companyId, date, agents: [], campaigns: []};
}

/** Starts the web client; every ORM call is a step. */
async function startCallCampaign() {
    const pyEnv = await startServer();
    onRpc("/web/dataset/call_kw/*", (request) => {
        expect.step(new URL(request.url).pathname.replace("/web/dataset/call_kw/", ""));
    });
    await start();
    return {pyEnv, callCampaign: getService("call_campaign")};
}

test("a wallboard follows its company's channel until its last watcher leaves", async () => {
    const {callCampaign} = await startCallCampaign();
    // mail follows its own channels
    const step = (operation, channel) =>
        channel.startsWith("call_campaign.") && expect.step(`${operation} ${channel}`);
    patchWithCleanup(getService("bus_service"), {
        addChannel(channel) {
            step("add", channel);
            return super.addChannel(channel);
        },
        deleteChannel(channel) {
            step("delete", channel);
            return super.deleteChannel(channel);
        },
    });

    callCampaign.watchWallboard(1, snapshot(1, "2025-03-10 09:00:00"));
    await waitForChannels([CHANNEL]);
    // a wallboard replacing another one starts before the other one stops
    callCampaign.watchWallboard(1, snapshot(1, "2025-03-10 09:00:01"));
    await animationFrame();
    callCampaign.unwatchWallboard(1);
    expect.verifySteps([`add ${CHANNEL}`, `add ${CHANNEL}`]);
    expect(callCampaign.state.wallboards[1].date).toBe("2025-03-10 09:00:01");

    callCampaign.unwatchWallboard(1);
    expect.verifySteps([`delete ${CHANNEL}`]);
    await waitForChannels([CHANNEL], {operation: "delete"});
});

test("a snapshot pushed on the bus replaces the watched company's, without a request", async () => {
    const {pyEnv, callCampaign} = await startCallCampaign();
    callCampaign.watchWallboard(1, snapshot(1, "2025-03-10 09:00:00"));
    await waitForChannels([CHANNEL]);

    // the bus worker is shared by the browser's tabs: one may watch another company
    pyEnv["bus.bus"]._sendone(
        CHANNEL,
        "call_campaign/wallboard",
        snapshot(2, "2025-03-10 09:00:01")
    );
    pyEnv["bus.bus"]._sendone(
        CHANNEL,
        "call_campaign/wallboard",
        snapshot(1, "2025-03-10 09:00:02")
    );
    await waitUntil(
        () => callCampaign.state.wallboards[1].date === "2025-03-10 09:00:02"
    );
    expect(callCampaign.state.wallboards).toEqual({
        1: snapshot(1, "2025-03-10 09:00:02"),
    });

    // no polling
    await advanceTime(60000);
    expect.verifySteps([]);
});

test("a company nobody watches any more gets no snapshot", async () => {
    const {pyEnv, callCampaign} = await startCallCampaign();
    callCampaign.watchWallboard(1, snapshot(1, "2025-03-10 09:00:00"));
    await waitForChannels([CHANNEL]);
    callCampaign.unwatchWallboard(1);

    // another tab still watching company 1 keeps the snapshots coming
    pyEnv["bus.bus"]._sendone(
        "broadcast",
        "call_campaign/wallboard",
        snapshot(1, "2025-03-10 09:00:01")
    );
    // handled in order: once My day's version moved, the snapshot was seen
    pyEnv["bus.bus"]._sendone("broadcast", "call_campaign/my_day", {member_ids: [1]});
    const version = callCampaign.state.myDayVersion;
    await waitUntil(() => callCampaign.state.myDayVersion > version);
    expect(callCampaign.state.wallboards[1].date).toBe("2025-03-10 09:00:00");
    expect.verifySteps([]);
});

test("My day's notification bumps its version; the agent's state is read when it changes", async () => {
    const {pyEnv, callCampaign} = await startCallCampaign();
    onRpc("res.users", "get_call_agent_state", () => ({
        user_id: serverState.userId,
        state: "paused",
        since: "2025-03-10 09:00:00",
        reason_id: 1,
    }));
    const [partner] = pyEnv["res.partner"].read(serverState.partnerId);
    const version = callCampaign.state.myDayVersion;

    pyEnv["bus.bus"]._sendone(partner, "call_campaign/my_day", {member_ids: [1]});
    await waitUntil(() => callCampaign.state.myDayVersion === version + 1);
    expect.verifySteps([]);

    pyEnv["bus.bus"]._sendone(partner, "call_campaign/agent_state", {state: "paused"});
    await waitUntil(() => callCampaign.state.agent);
    expect(callCampaign.state.agent.state).toBe("paused");
    expect(callCampaign.state.myDayVersion).toBe(version + 2);
    expect.verifySteps(["res.users/get_call_agent_state"]);
});

test("a call handed to the agent opens the screen the server names", async () => {
    const {pyEnv} = await startCallCampaign();
    patchWithCleanup(getService("action"), {
        doAction(action) {
            expect.step(`${action.res_model},${action.res_id}`);
        },
    });
    const [partner] = pyEnv["res.partner"].read(serverState.partnerId);

    pyEnv["bus.bus"]._sendone(partner, "call_campaign/call", {member_id: 5});
    pyEnv["bus.bus"]._sendone(partner, "call_campaign/call", {
        member_id: 6,
        action: {
            type: "ir.actions.act_window",
            res_model: "call.campaign.member",
            res_id: 6,
            views: [[false, "form"]],
        },
    });
    await expect.waitForSteps(["call.campaign.member,6"]);
});
